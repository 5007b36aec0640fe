package dev.lbkit.simulator.fleet;

import dev.lbkit.api.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The fleet and its traffic, shared by every variant of a scenario: clients, servers, network,
 * workload, failures and how long to run. Immutable; built with {@link #builder()}, which
 * validates in {@link Builder#build()}.
 */
public final class FleetConfig {

  /** Default latency of a fail-fast error answer: 1 ms, a handler that rejects at once. */
  public static final Duration DEFAULT_FAIL_FAST_LATENCY = Duration.ofMillis(1);

  /** Default outcomes a client retries: those that say the request was not processed. */
  public static final Set<Outcome> DEFAULT_RETRY_ON = Set.of(Outcome.CONNECT_FAILURE, Outcome.SERVER_ERROR);

  final long seed;
  final int clients;
  final int servers;
  final int workers;
  final int queueLimit;
  final ServiceTime service;
  final double[] speeds;
  final Network network;
  final Workload workload;
  final long requests;
  final long durationNanos;
  final long warmupNanos;
  final long timeoutNanos;
  final int maxAttempts;
  final Set<Outcome> retryOn;
  final long discoveryDelayNanos;
  final long discoverySpreadNanos;
  final List<Fault> faults;
  final Deploy deploy;
  final long intervalNanos;
  final long failFastNanos;
  final long drainLimitNanos;

  private FleetConfig(Builder b) {
    seed = b.seed;
    clients = b.clients;
    servers = b.servers;
    workers = b.workers;
    queueLimit = b.queueLimit;
    service = b.service;
    speeds = new double[b.servers];
    Arrays.fill(speeds, 1.0);
    for (int i = 0; i < b.speedOverrides.size(); i++) {
      double[] o = b.speedOverrides.get(i);
      speeds[(int) o[0]] = o[1];
    }
    network = b.network;
    workload = b.workload;
    requests = b.requests;
    durationNanos = b.duration.toNanos();
    warmupNanos = b.warmup.toNanos();
    timeoutNanos = b.timeout.toNanos();
    maxAttempts = b.maxAttempts;
    retryOn = Set.copyOf(b.retryOn);
    discoveryDelayNanos = b.discoveryDelay.toNanos();
    discoverySpreadNanos = b.discoverySpread.toNanos();
    faults = List.copyOf(b.faults);
    deploy = b.deploy;
    intervalNanos = b.interval.toNanos();
    failFastNanos = b.failFastLatency.toNanos();
    drainLimitNanos = b.drainLimit.toNanos();
  }

  /** A builder with a single client, a single server and no traffic limit set. */
  public static Builder builder() {
    return new Builder();
  }

  /** The seed of every random stream of a run. */
  public long seed() {
    return seed;
  }

  /** Number of clients, each with its own balancer. */
  public int clients() {
    return clients;
  }

  /** Number of servers. */
  public int servers() {
    return servers;
  }

  /** Workers per server. */
  public int workers() {
    return workers;
  }

  /** The service-time distribution at speed 1. */
  public ServiceTime service() {
    return service;
  }

  /** The workload. */
  public Workload workload() {
    return workload;
  }

  /** Requests to send in total, or 0 when the duration bounds the run. */
  public long requests() {
    return requests;
  }

  /** How long requests arrive, or 0 when the request count bounds the run. */
  public long durationNanos() {
    return durationNanos;
  }

  /** Time at the start excluded from the headline figures. */
  public long warmupNanos() {
    return warmupNanos;
  }

  /** The width of one point of the time series. */
  public long intervalNanos() {
    return intervalNanos;
  }

  /** The injected failures. */
  public List<Fault> faults() {
    return faults;
  }

  /** The rolling deploy, or null. */
  public Deploy deploy() {
    return deploy;
  }

  /**
   * The offered load: arrival rate × mean service time / (servers × workers), for an open loop
   * with speed-1 servers; NaN for a closed loop.
   */
  public double utilisation() {
    if (workload.kind() != Workload.Kind.OPEN) {
      return Double.NaN;
    }
    return workload.ratePerSecond() * service.meanNanos() / 1e9 / ((double) servers * workers);
  }

  @Override
  public String toString() {
    return "FleetConfig{" + clients + " clients, " + servers + " servers × " + workers + " workers, "
        + service + ", " + workload + ", requests=" + requests + ", duration=" + durationNanos / 1e9 + "s}";
  }

  /** Builds a {@link FleetConfig}. Not thread-safe. */
  public static final class Builder {
    long seed = 1;
    int clients = 1;
    int servers = 1;
    int workers = 1;
    int queueLimit;
    ServiceTime service = ServiceTime.exponential(Duration.ofMillis(10));
    final List<double[]> speedOverrides = new ArrayList<>();
    Network network = Network.NONE;
    Workload workload;
    long requests;
    Duration duration = Duration.ZERO;
    Duration warmup = Duration.ZERO;
    Duration timeout = Duration.ZERO;
    int maxAttempts = 1;
    Set<Outcome> retryOn = DEFAULT_RETRY_ON;
    Duration discoveryDelay = Duration.ZERO;
    Duration discoverySpread = Duration.ZERO;
    final List<Fault> faults = new ArrayList<>();
    Deploy deploy;
    Duration interval = Duration.ofSeconds(1);
    Duration failFastLatency = DEFAULT_FAIL_FAST_LATENCY;
    Duration drainLimit = Duration.ofSeconds(60);

    private Builder() {}

    /** The seed of every random stream. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Number of clients, at least 1. */
    public Builder clients(int clients) {
      this.clients = clients;
      return this;
    }

    /** Number of servers, at least 1. */
    public Builder servers(int servers) {
      this.servers = servers;
      return this;
    }

    /** Workers (requests served at once) per server, at least 1. */
    public Builder workers(int workers) {
      this.workers = workers;
      return this;
    }

    /** Requests waiting per server beyond which new ones are answered with an error; 0 unbounded. */
    public Builder queueLimit(int limit) {
      this.queueLimit = limit;
      return this;
    }

    /** The service-time distribution at speed 1. */
    public Builder service(ServiceTime service) {
      this.service = service;
      return this;
    }

    /** Server {@code index} works {@code speed} times as fast as the others (0.5: twice as slow). */
    public Builder speed(int index, double speed) {
      speedOverrides.add(new double[] {index, speed});
      return this;
    }

    /** The network between clients and servers. */
    public Builder network(Network network) {
      this.network = network;
      return this;
    }

    /** The workload. */
    public Builder workload(Workload workload) {
      this.workload = workload;
      return this;
    }

    /** Requests to send in total; 0 when the duration bounds the run. */
    public Builder requests(long requests) {
      this.requests = requests;
      return this;
    }

    /** How long requests arrive; zero when the request count bounds the run. */
    public Builder duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    /** Time at the start excluded from the headline figures; default none. */
    public Builder warmup(Duration warmup) {
      this.warmup = warmup;
      return this;
    }

    /** A client's timeout per attempt; zero for none (the default). */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Attempts per request, at least 1 (the default: no retries). */
    public Builder maxAttempts(int attempts) {
      this.maxAttempts = attempts;
      return this;
    }

    /** The outcomes that are retried; default {@link #DEFAULT_RETRY_ON}. */
    public Builder retryOn(Set<Outcome> outcomes) {
      this.retryOn = outcomes.isEmpty() ? Set.of() : EnumSet.copyOf(outcomes);
      return this;
    }

    /**
     * How late a change of the server list reaches clients: client {@code c} learns of every
     * change {@code delay + u_c × spread} after it, with {@code u_c} uniform in [0, 1) and fixed
     * per client, so changes reach each client in order.
     */
    public Builder discovery(Duration delay, Duration spread) {
      this.discoveryDelay = delay;
      this.discoverySpread = spread;
      return this;
    }

    /** Adds a failure. */
    public Builder fault(Fault fault) {
      faults.add(fault);
      return this;
    }

    /** A rolling deploy; null for none. */
    public Builder deploy(Deploy deploy) {
      this.deploy = deploy;
      return this;
    }

    /** The width of one point of the time series; default 1 s. */
    public Builder interval(Duration interval) {
      this.interval = interval;
      return this;
    }

    /** How long a fail-fast server takes to answer with an error; default 1 ms. */
    public Builder failFastLatency(Duration latency) {
      this.failFastLatency = latency;
      return this;
    }

    /**
     * How long after the last arrival the run waits for requests still open; default 60 s.
     * Those still open then are cancelled (reported as {@code CANCELLED}) and counted as
     * unfinished.
     */
    public Builder drainLimit(Duration limit) {
      this.drainLimit = limit;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the field and the bad value
     */
    public FleetConfig build() {
      atLeast("clients", clients, 1);
      atLeast("servers", servers, 1);
      atLeast("workers", workers, 1);
      atLeast("queueLimit", queueLimit, 0);
      atLeast("maxAttempts", maxAttempts, 1);
      if (service == null) {
        throw new IllegalArgumentException("service must be set, was null");
      }
      if (workload == null) {
        throw new IllegalArgumentException("workload must be set, was null");
      }
      if (requests < 0) {
        throw new IllegalArgumentException("requests must be >= 0, was " + requests);
      }
      nonNegative("duration", duration);
      nonNegative("warmup", warmup);
      nonNegative("timeout", timeout);
      nonNegative("discovery delay", discoveryDelay);
      nonNegative("discovery spread", discoverySpread);
      nonNegative("failFastLatency", failFastLatency);
      nonNegative("drainLimit", drainLimit);
      if (requests == 0 && duration.isZero()) {
        throw new IllegalArgumentException("requests or duration must be set, neither was");
      }
      if (interval.isZero() || interval.isNegative()) {
        throw new IllegalArgumentException("interval must be positive, was " + interval);
      }
      for (double[] o : speedOverrides) {
        if (o[0] >= servers) {
          throw new IllegalArgumentException("speed server must be < servers (" + servers + "), was " + (int) o[0]);
        }
        if (!(o[1] > 0) || Double.isInfinite(o[1])) {
          throw new IllegalArgumentException("speed must be positive and finite, was " + o[1]);
        }
      }
      for (Fault f : faults) {
        if (f.server() >= servers) {
          throw new IllegalArgumentException("fault server must be < servers (" + servers + "), was " + f.server());
        }
      }
      if (deploy != null && deploy.servers() > servers) {
        throw new IllegalArgumentException("deploy servers must be <= servers (" + servers + "), was " + deploy.servers());
      }
      return new FleetConfig(this);
    }

    private static void atLeast(String field, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(field + " must be >= " + min + ", was " + value);
      }
    }

    private static void nonNegative(String field, Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(field + " must be >= 0, was " + d);
      }
    }
  }
}
