package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.api.Ticker;
import dev.lbkit.api.ZoneRouting;
import dev.lbkit.api.internal.ServerLists;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a {@link LoadBalancer}. Every setting is validated in {@link #build()}; messages name
 * the field and the value. Not thread-safe.
 */
public final class LoadBalancerBuilder {
  final String name;
  Algorithm algorithm = Algorithms.roundRobin();
  ZoneRouting zoneRouting = ZoneRouting.NONE;
  final List<HealthInput> inputs = new ArrayList<>();
  List<Server> servers;
  ServerSource source;
  Ticker ticker = Ticker.SYSTEM;
  RandomSource random = RandomSource.threadLocal();
  LoadBalancerListener listener = LoadBalancerListener.NONE;
  boolean unknownPickable = true;
  int panicThresholdPercent = LoadBalancer.DEFAULT_PANIC_THRESHOLD_PERCENT;
  LoadBalancer.PanicMode panicMode = LoadBalancer.PanicMode.SPREAD;
  int maxEjectionPercent = LoadBalancer.DEFAULT_MAX_EJECTION_PERCENT;
  double overprovisioningFactor = LoadBalancer.DEFAULT_OVERPROVISIONING_FACTOR;
  Duration ewmaDecay = LoadBalancer.DEFAULT_EWMA_DECAY;
  Duration failurePenalty = LoadBalancer.DEFAULT_FAILURE_PENALTY;
  boolean trackLatency;
  boolean coarseClock;
  Duration leakDetection;

  LoadBalancerBuilder(String name) {
    this.name = name;
  }

  /** The algorithm; default {@link Algorithms#roundRobin()}. */
  public LoadBalancerBuilder algorithm(Algorithm algorithm) {
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
    return this;
  }

  /**
   * A fixed list of servers. Exclusive with {@link #source}.
   *
   * @throws NullPointerException naming the index of a null server, as {@code servers[2] must
   *     not be null}
   */
  public LoadBalancerBuilder servers(List<Server> servers) {
    this.servers = List.copyOf(ServerLists.requireNoNulls(servers, "servers"));
    return this;
  }

  /**
   * A fixed list of servers. Exclusive with {@link #source}.
   *
   * @throws NullPointerException naming the index of a null server, as {@code servers[2] must
   *     not be null}
   */
  public LoadBalancerBuilder servers(Server... servers) {
    return servers(servers == null ? null : java.util.Arrays.asList(servers));
  }

  /** Where servers come from. Exclusive with {@link #servers}. */
  public LoadBalancerBuilder source(ServerSource source) {
    this.source = Objects.requireNonNull(source, "source");
    return this;
  }

  /**
   * Adds a health input: active checks, outlier detection, breakers, slow start. Each balancer
   * needs its own instances: an input keeps per-balancer state.
   */
  public LoadBalancerBuilder healthInput(HealthInput input) {
    inputs.add(Objects.requireNonNull(input, "input"));
    return this;
  }

  /** The zone stage; default {@link ZoneRouting#NONE}. */
  public LoadBalancerBuilder zoneRouting(ZoneRouting routing) {
    this.zoneRouting = Objects.requireNonNull(routing, "zoneRouting");
    return this;
  }

  /** The clock; default {@link Ticker#SYSTEM}. Tests inject a fake. */
  public LoadBalancerBuilder ticker(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return this;
  }

  /** The random source; default {@link RandomSource#threadLocal()}. */
  public LoadBalancerBuilder random(RandomSource random) {
    this.random = Objects.requireNonNull(random, "random");
    return this;
  }

  /** Receives state changes; default {@link LoadBalancerListener#NONE}. */
  public LoadBalancerBuilder listener(LoadBalancerListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * Whether a server with no active verdict yet may be picked; default true, so that a
   * cluster without active checks works, and a new server takes traffic at once (slow start
   * softens that). Set false to wait for the first passing check.
   */
  public LoadBalancerBuilder unknownPickable(boolean allowed) {
    this.unknownPickable = allowed;
    return this;
  }

  /** Panic threshold in percent, [0, 100]; 0 disables panic. Default {@value LoadBalancer#DEFAULT_PANIC_THRESHOLD_PERCENT}. */
  public LoadBalancerBuilder panicThresholdPercent(int percent) {
    this.panicThresholdPercent = percent;
    return this;
  }

  /** What panic does; default {@link LoadBalancer.PanicMode#SPREAD}. */
  public LoadBalancerBuilder panicMode(LoadBalancer.PanicMode mode) {
    this.panicMode = Objects.requireNonNull(mode, "panicMode");
    return this;
  }

  /** Maximum share of servers passive health may eject, [0, 100]. Default {@value LoadBalancer#DEFAULT_MAX_EJECTION_PERCENT}. */
  public LoadBalancerBuilder maxEjectionPercent(int percent) {
    this.maxEjectionPercent = percent;
    return this;
  }

  /** Priority overprovisioning factor, at least 1. Default {@value LoadBalancer#DEFAULT_OVERPROVISIONING_FACTOR}. */
  public LoadBalancerBuilder overprovisioningFactor(double factor) {
    this.overprovisioningFactor = factor;
    return this;
  }

  /** Decay time of the latency EWMAs, positive. Default 10 s. */
  public LoadBalancerBuilder ewmaDecay(Duration decay) {
    this.ewmaDecay = Objects.requireNonNull(decay, "ewmaDecay");
    return this;
  }

  /**
   * The latency a failed call is sampled as, at least, by every latency-aware part (least
   * response time, latency-based zone choice); positive. Default 1 s: see {@link
   * LoadBalancer#DEFAULT_FAILURE_PENALTY}.
   */
  public LoadBalancerBuilder failurePenalty(Duration penalty) {
    this.failurePenalty = Objects.requireNonNull(penalty, "failurePenalty");
    return this;
  }

  /**
   * Keeps latency statistics even when neither the algorithm nor the zone routing reads them,
   * for code that reads {@link dev.lbkit.api.ServerView#latencyEwmaNanos()} (dashboards,
   * custom inputs). Default false: a report then costs no clock read and no EWMA update, and
   * views show latency as {@link dev.lbkit.api.ServerView#NOT_TRACKED}.
   */
  public LoadBalancerBuilder trackLatency(boolean track) {
    this.trackLatency = track;
    return this;
  }

  /**
   * Reads time for latency statistics from a coarse clock: a reading of the {@linkplain #ticker
   * ticker} that one shared timer thread of the process ({@code lbkit-coarse-clock}, a daemon)
   * refreshes about every millisecond, so that a pick and a report of a latency-aware algorithm
   * (least response time, latency-based zone choice) read a field instead of calling {@code
   * System.nanoTime()}: 20 to 30 ns less per call on a virtual machine, twice per request. Default
   * false.
   *
   * <p><b>Precision.</b> A reading lags the ticker by less than 1 ms plus the time the operating
   * system takes to run the timer thread (typically under 0.1 ms). Every sample's age and the gap
   * between two samples are then off by less than that: with the default 10 s decay time, a
   * weight error of about 10⁻⁴. Samples that land in the same tick as the one before share its
   * timestamp, so that only the first of them moves the plain EWMA; a peak still raises the Peak
   * EWMA at once. Health inputs, leak detection and {@link dev.lbkit.api.Selection#complete} stamps
   * given by the caller are not affected.
   *
   * <p>The timer thread starts with the first balancer that uses it and stops within a
   * millisecond after the last one closes (a balancer never closed keeps it running; it is a
   * daemon, so it never keeps the JVM alive). Over an injected fake ticker, the coarse clock
   * follows the fake only when the timer thread next samples it, up to a millisecond of real time
   * later: tests that step a fake ticker should leave this setting off. A balancer whose algorithm and zone routing read no
   * latency, and that does not {@linkplain #trackLatency track latency}, uses no clock on its
   * report path and ignores this setting.
   */
  public LoadBalancerBuilder coarseClock(boolean coarse) {
    this.coarseClock = coarse;
    return this;
  }

  /**
   * Turns on leak detection, a debug aid for selections that are never completed (a lost {@code
   * complete}, an OkHttp response never closed), each of which holds its server's in-flight count
   * for ever. Every pick then records where it was made; a selection open longer than {@code
   * openLimit} is counted in its server's view ({@link dev.lbkit.api.ServerView#openTooLong()})
   * and logged once at WARN with the stack of its pick. Off by default (null): it costs a stack
   * trace and a set entry per pick. Choose a limit well above your longest call or stream.
   */
  public LoadBalancerBuilder leakDetection(Duration openLimit) {
    this.leakDetection = openLimit;
    return this;
  }

  /**
   * Validates the settings, builds the balancer, attaches health inputs and starts the
   * source.
   *
   * @throws IllegalArgumentException naming the field and the value of a bad setting
   * @throws IllegalStateException naming the cluster when a health input fails to start (an input
   *     of lb-health refuses a second balancer) or the source fails to start; the health inputs
   *     already started are closed first
   */
  public LoadBalancer build() {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be empty, was " + (name == null ? "null" : "'" + name + "'"));
    }
    if (servers != null && source != null) {
      throw new IllegalArgumentException("servers and source are exclusive, both were set");
    }
    if (servers == null && source == null) {
      throw new IllegalArgumentException("servers or source must be set, neither was");
    }
    if (panicThresholdPercent < 0 || panicThresholdPercent > 100) {
      throw new IllegalArgumentException("panicThresholdPercent must be in [0, 100], was " + panicThresholdPercent);
    }
    if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
      throw new IllegalArgumentException("maxEjectionPercent must be in [0, 100], was " + maxEjectionPercent);
    }
    if (!(overprovisioningFactor >= 1.0) || Double.isInfinite(overprovisioningFactor)) {
      throw new IllegalArgumentException("overprovisioningFactor must be a finite number >= 1, was " + overprovisioningFactor);
    }
    if (ewmaDecay.isZero() || ewmaDecay.isNegative()) {
      throw new IllegalArgumentException("ewmaDecay must be positive, was " + ewmaDecay);
    }
    if (leakDetection != null && (leakDetection.isZero() || leakDetection.isNegative())) {
      throw new IllegalArgumentException("leakDetection must be positive, was " + leakDetection);
    }
    if (failurePenalty.isZero() || failurePenalty.isNegative()) {
      throw new IllegalArgumentException("failurePenalty must be positive, was " + failurePenalty);
    }
    for (int i = 0; i < inputs.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (inputs.get(i) == inputs.get(j)) {
          throw new IllegalArgumentException("inputs must be distinct instances, " + inputs.get(i) + " is added twice");
        }
      }
    }
    if (servers != null) {
      LoadBalancer.index(servers);
      algorithm.validate(servers.size());
    }
    LoadBalancer lb = new LoadBalancer(this);
    lb.start(servers);
    return lb;
  }
}
