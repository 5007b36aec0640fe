package dev.lbkit.simulator.scenario;

import dev.lbkit.api.Outcome;
import dev.lbkit.api.internal.RetryBackoff;
import dev.lbkit.simulator.fleet.Deploy;
import dev.lbkit.simulator.fleet.Fault;
import dev.lbkit.simulator.fleet.FleetConfig;
import dev.lbkit.simulator.fleet.Network;
import dev.lbkit.simulator.fleet.RetryControl;
import dev.lbkit.simulator.fleet.ServiceTime;
import dev.lbkit.simulator.fleet.Variant;
import dev.lbkit.simulator.fleet.View;
import dev.lbkit.simulator.fleet.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a scenario file's fields into the simulator's values: the {@link FleetConfig} and the
 * {@link Variant}s, with the file format's defaults, and messages that name the field and the
 * bad value. Pure functions.
 */
final class FleetSpecs {

  private FleetSpecs() {}

  static FleetConfig fleet(ScenarioSpec s) {
    FleetConfig.Builder b = FleetConfig.builder();
    if (s.seed() != null) {
      b.seed(s.seed());
    }
    int servers = s.servers() != null ? s.servers() : 1;
    int workers = s.workers() != null ? s.workers() : 1;
    b.clients(s.clients() != null ? s.clients() : 1).servers(servers).workers(workers);
    if (s.queueLimit() != null) {
      b.queueLimit(s.queueLimit());
    }
    ServiceTime service = service(require("service", s.service()));
    b.service(service);
    if (s.speeds() != null) {
      for (Map.Entry<Integer, Double> e : s.speeds().entrySet()) {
        b.speed(e.getKey(), e.getValue());
      }
    }
    if (s.network() != null) {
      b.network(Network.of(orZero(s.network().latency()), orZero(s.network().jitter())));
    }
    b.workload(workload(require("workload", s.workload()), service, servers, workers));
    if (s.requests() != null) {
      b.requests(s.requests());
    }
    if (s.duration() != null) {
      b.duration(s.duration());
    }
    if (s.warmup() != null) {
      b.warmup(s.warmup());
    }
    if (s.interval() != null) {
      b.interval(s.interval());
    }
    if (s.timeout() != null) {
      b.timeout(s.timeout());
    }
    if (s.attempts() != null) {
      b.maxAttempts(s.attempts());
    }
    if (s.retryOn() != null) {
      Set<Outcome> outcomes = EnumSet.noneOf(Outcome.class);
      for (String o : s.retryOn()) {
        outcomes.add(outcome(o));
      }
      b.retryOn(outcomes);
    }
    if (s.discovery() != null) {
      b.discovery(orZero(s.discovery().delay()), orZero(s.discovery().spread()));
    }
    if (s.faults() != null) {
      for (ScenarioSpec.Fault f : s.faults()) {
        b.fault(fault(f));
      }
    }
    if (s.deploy() != null) {
      ScenarioSpec.Deploy d = s.deploy();
      b.deploy(new Deploy(nanos(d.start()), nanos(require("deploy.every", d.every())),
          d.servers() != null ? d.servers() : servers, nanos(d.drain()), nanos(d.down()),
          d.cold() != null ? d.cold() : 1.0, nanos(d.warmup()), d.deregister() == null || d.deregister()));
    }
    return b.build();
  }

  private static ServiceTime service(ScenarioSpec.Service s) {
    Duration mean = require("service.mean", s.mean());
    String d = s.distribution() == null ? "exponential" : s.distribution();
    return switch (d) {
      case "fixed" -> ServiceTime.fixed(mean);
      case "exponential" -> ServiceTime.exponential(mean);
      case "log-normal" -> ServiceTime.logNormal(mean, s.sigma() != null ? s.sigma() : 1.0);
      default -> throw new IllegalArgumentException(
          "service.distribution must be fixed, exponential or log-normal, was '" + d + "'");
    };
  }

  private static Workload workload(ScenarioSpec.Workload w, ServiceTime service, int servers, int workers) {
    String kind = w.kind() == null ? "open" : w.kind();
    switch (kind) {
      case "open" -> {
        if ((w.rate() == null) == (w.utilisation() == null)) {
          throw new IllegalArgumentException("workload needs exactly one of rate and utilisation, had "
              + (w.rate() == null ? "neither" : "both"));
        }
        double rate = w.rate() != null ? w.rate()
            : w.utilisation() * servers * workers / (service.meanNanos() / 1e9);
        return Workload.open(rate);
      }
      case "closed" -> {
        return Workload.closed(require("workload.users", w.users()), nanos(w.think()));
      }
      default -> throw new IllegalArgumentException("workload.kind must be open or closed, was '" + kind + "'");
    }
  }

  private static RetryControl retry(ScenarioSpec.Retry r) {
    if (r == null) {
      return RetryControl.NONE;
    }
    ScenarioSpec.RetryBudget b = r.budget();
    ScenarioSpec.RetryThrottle t = r.throttle();
    return new RetryControl(
        b == null ? null : new RetryControl.Budget(require("retry.budget.percent", b.percent()),
            require("retry.budget.minPerSecond", b.minPerSecond()), require("retry.budget.window", b.window())),
        t == null ? null : new RetryControl.Throttle(require("retry.throttle.window", t.window()),
            require("retry.throttle.minAttempts", t.minAttempts()),
            require("retry.throttle.minSuccessPercent", t.minSuccessPercent())),
        backoff(r.backoff()));
  }

  /** lb-okhttp's backoff, its defaults for the fields left out. */
  private static RetryBackoff backoff(ScenarioSpec.RetryBackoffSpec spec) {
    if (spec == null) {
      return RetryBackoff.DEFAULT;
    }
    try {
      return new RetryBackoff(
          spec.initial() == null ? RetryBackoff.DEFAULT_INITIAL : spec.initial(),
          spec.max() == null ? max(RetryBackoff.DEFAULT_MAX, spec.initial()) : spec.max(),
          spec.multiplier() == null ? RetryBackoff.DEFAULT_MULTIPLIER : spec.multiplier(),
          spec.jitter() == null ? RetryBackoff.DEFAULT_JITTER : spec.jitter());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("retry.backoff: " + e.getMessage(), e);
    }
  }

  private static Duration max(Duration a, Duration b) {
    return b == null || a.compareTo(b) >= 0 ? a : b;
  }

  private static Fault fault(ScenarioSpec.Fault f) {
    String k = require("fault.kind", f.kind());
    Fault.Kind kind = switch (k) {
      case "slow" -> Fault.Kind.SLOW;
      case "fail-fast" -> Fault.Kind.FAIL_FAST;
      case "refuse" -> Fault.Kind.REFUSE;
      case "black-hole" -> Fault.Kind.BLACK_HOLE;
      case "restart" -> Fault.Kind.RESTART;
      default -> throw new IllegalArgumentException(
          "fault.kind must be slow, fail-fast, refuse, black-hole or restart, was '" + k + "'");
    };
    return new Fault(kind, require("fault.server", f.server()), nanos(f.at()), nanos(require("fault.for", f.duration())),
        f.factor() != null ? f.factor() : 1.0, f.probability() != null ? f.probability() : 1.0, nanos(f.warmup()));
  }

  static List<Variant> variants(ScenarioSpec s) {
    List<ScenarioSpec.Variant> specs = require("variants", s.variants());
    List<Variant> base = new ArrayList<>();
    for (ScenarioSpec.Variant v : specs) {
      base.add(new Variant(require("variant.name", v.name()),
          AlgorithmNames.of(v.algorithm(), v.choices(), v.estimate()),
          v.view() == null ? View.OWN : view(v.view()),
          v.slowStart(),
          Boolean.TRUE.equals(v.outlierDetection()),
          key(v.key()),
          v.ewmaDecay(),
          retry(v.retry()),
          v.clientRate() == null ? 0 : v.clientRate()));
    }
    if (s.views() == null) {
      return base;
    }
    // Every variant under every view, the herding grid; a variant that names its own view (round
    // robin, which reads no load) runs once, first.
    List<Variant> grid = new ArrayList<>();
    for (int i = 0; i < base.size(); i++) {
      if (specs.get(i).view() != null) {
        grid.add(base.get(i));
      }
    }
    for (ScenarioSpec.View vs : s.views()) {
      View view = view(vs);
      for (int i = 0; i < base.size(); i++) {
        Variant v = base.get(i);
        if (specs.get(i).view() == null) {
          grid.add(v.withView(view).named(v.name() + " · " + Scenario.label(view)));
        }
      }
    }
    return grid;
  }

  private static View view(ScenarioSpec.View v) {
    String kind = require("view.kind", v.kind());
    return switch (kind) {
      case "own" -> View.OWN;
      case "reported" -> View.reported();
      case "board" -> View.board(nanos(v.refresh()));
      default -> throw new IllegalArgumentException("view must be own, reported or board, was '" + kind + "'");
    };
  }

  private static Variant.Key key(String key) {
    if (key == null) {
      return Variant.Key.NONE;
    }
    return switch (key) {
      case "none" -> Variant.Key.NONE;
      case "client" -> Variant.Key.CLIENT;
      case "request" -> Variant.Key.REQUEST;
      default -> throw new IllegalArgumentException("key must be none, client or request, was '" + key + "'");
    };
  }

  private static Outcome outcome(String name) {
    try {
      return Outcome.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("retryOn entries must be connect-failure, timeout, server-error or io-error, was '"
          + name + "'", e);
    }
  }

  private static <T> T require(String field, T value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must be set, was missing");
    }
    return value;
  }

  private static Duration orZero(Duration d) {
    return d == null ? Duration.ZERO : d;
  }

  private static long nanos(Duration d) {
    return d == null ? 0L : d.toNanos();
  }
}
