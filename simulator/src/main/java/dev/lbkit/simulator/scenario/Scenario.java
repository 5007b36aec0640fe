package dev.lbkit.simulator.scenario;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lbkit.api.Outcome;
import dev.lbkit.simulator.fleet.Deploy;
import dev.lbkit.simulator.fleet.Fault;
import dev.lbkit.simulator.fleet.FleetConfig;
import dev.lbkit.simulator.fleet.Network;
import dev.lbkit.simulator.fleet.ServiceTime;
import dev.lbkit.simulator.fleet.Variant;
import dev.lbkit.simulator.fleet.View;
import dev.lbkit.simulator.fleet.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A scenario read from a YAML file: a fleet and the variants to run over it ({@code kind:
 * fleet}, the default), or a balls-into-bins comparison ({@code kind: balls-into-bins}).
 * Immutable.
 */
public final class Scenario {

  /** What a scenario runs. */
  public enum Kind {
    /** A fleet simulation per variant. */
    FLEET,
    /** Balls into bins, lbkit against the textbook process. */
    BALLS_INTO_BINS
  }

  /** One size of balls into bins and its number of runs. */
  public record BinsSize(int n, int runs) {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .registerModule(new SimpleModule("durations").addDeserializer(Duration.class, new Durations.Deserializer()))
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final ScenarioSpec spec;
  private final String name;
  private final String title;
  private final String description;
  private final Kind kind;
  private final FleetConfig fleet;
  private final List<Variant> variants;
  private final List<Integer> binsChoices;
  private final List<BinsSize> binsSizes;
  private final long seed;
  private final List<String> findings;

  private Scenario(ScenarioSpec spec, FleetConfig fleet, List<Variant> variants, Kind kind) {
    this.spec = spec;
    this.name = spec.name();
    this.title = spec.title() != null ? spec.title() : spec.name();
    this.description = spec.description() != null ? spec.description().trim() : "";
    this.kind = kind;
    this.fleet = fleet;
    this.variants = List.copyOf(variants);
    this.seed = spec.seed() != null ? spec.seed() : 1L;
    this.findings = spec.findings() != null ? List.copyOf(spec.findings()) : List.of();
    if (kind == Kind.BALLS_INTO_BINS) {
      ScenarioSpec.Bins bins = require("bins", spec.bins());
      binsChoices = List.copyOf(require("bins.choices", bins.choices()));
      List<BinsSize> sizes = new ArrayList<>();
      for (ScenarioSpec.Size s : require("bins.sizes", bins.sizes())) {
        sizes.add(new BinsSize(require("bins.sizes.n", s.n()), require("bins.sizes.runs", s.runs())));
      }
      binsSizes = List.copyOf(sizes);
    } else {
      binsChoices = List.of();
      binsSizes = List.of();
    }
  }

  /**
   * Reads the scenario file at {@code path}.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException naming the file and what is wrong in it
   */
  public static Scenario load(Path path) throws IOException {
    ScenarioSpec spec;
    try {
      spec = YAML.readValue(Files.readString(path), ScenarioSpec.class);
    } catch (JsonMappingException e) {
      throw new IllegalArgumentException(path + ": " + e.getOriginalMessage() + " at " + e.getPathReference(), e);
    }
    try {
      return of(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
  }

  /** Reads a scenario from YAML text. */
  public static Scenario parse(String yaml) throws IOException {
    return of(YAML.readValue(yaml, ScenarioSpec.class));
  }

  static Scenario of(ScenarioSpec spec) {
    if (spec.name() == null || !spec.name().matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("name must be lower-case words joined by '-', was " + spec.name());
    }
    String kindName = spec.kind() == null ? "fleet" : spec.kind();
    Kind kind = switch (kindName) {
      case "fleet" -> Kind.FLEET;
      case "balls-into-bins" -> Kind.BALLS_INTO_BINS;
      default -> throw new IllegalArgumentException("kind must be fleet or balls-into-bins, was '" + kindName + "'");
    };
    if (kind == Kind.BALLS_INTO_BINS) {
      return new Scenario(spec, null, List.of(), kind);
    }
    return new Scenario(spec, fleet(spec), variants(spec), kind);
  }

  private static FleetConfig fleet(ScenarioSpec s) {
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

  private static List<Variant> variants(ScenarioSpec s) {
    List<ScenarioSpec.Variant> specs = require("variants", s.variants());
    List<Variant> base = new ArrayList<>();
    for (ScenarioSpec.Variant v : specs) {
      base.add(new Variant(require("variant.name", v.name()),
          AlgorithmNames.of(v.algorithm(), v.choices(), v.estimate()),
          v.view() == null ? View.OWN : view(v.view()),
          v.slowStart(),
          Boolean.TRUE.equals(v.outlierDetection()),
          key(v.key()),
          v.ewmaDecay()));
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
          grid.add(v.withView(view).named(v.name() + " · " + label(view)));
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

  /** How the report names a view: {@code own}, {@code reported}, {@code board live}, {@code board 100ms}. */
  public static String label(View view) {
    return switch (view.kind()) {
      case OWN -> "own";
      case REPORTED -> "reported";
      case BOARD -> view.refreshNanos() == 0 ? "board live" : "board " + Durations.format(Duration.ofNanos(view.refreshNanos()));
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

  /**
   * This scenario with {@code requests} requests in total and no duration: the same fleet and
   * failures at another scale, for a quick look or a test.
   */
  public Scenario withRequests(long requests) {
    return of(spec.withRequests(requests));
  }

  /** This balls-into-bins scenario without its sizes above {@code maxBins}. */
  public Scenario withMaxBins(int maxBins) {
    return of(spec.withMaxBins(maxBins));
  }

  /** The scenario's name, also the report's file name. */
  public String name() {
    return name;
  }

  /** The report's title. */
  public String title() {
    return title;
  }

  /** What the scenario shows, in a few sentences. */
  public String description() {
    return description;
  }

  /** What the scenario runs. */
  public Kind kind() {
    return kind;
  }

  /** The fleet, for {@link Kind#FLEET}; null otherwise. */
  public FleetConfig fleet() {
    return fleet;
  }

  /** The variants, for {@link Kind#FLEET}. */
  public List<Variant> variants() {
    return variants;
  }

  /** The values of d, for {@link Kind#BALLS_INTO_BINS}. */
  public List<Integer> binsChoices() {
    return binsChoices;
  }

  /** The sizes, for {@link Kind#BALLS_INTO_BINS}. */
  public List<BinsSize> binsSizes() {
    return binsSizes;
  }

  /** The seed. */
  public long seed() {
    return seed;
  }

  /** Findings the scenario file states, shown in the report under the table. */
  public List<String> findings() {
    return findings;
  }

  @Override
  public String toString() {
    return "Scenario{" + name + ", " + kind + (fleet != null ? ", " + fleet : "") + ", " + variants.size() + " variants}";
  }
}
