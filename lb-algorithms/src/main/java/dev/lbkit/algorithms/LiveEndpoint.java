package dev.lbkit.algorithms;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl.AdmissionGate;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.api.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The runtime's per-server object: configuration, combined health and live statistics. One
 * instance lives as long as its server id stays in the list, across every picker rebuild.
 *
 * <p><b>Threading.</b> Statistics are updated lock-free from reporting threads. The per-input
 * health signals ({@code active}, {@code ejection}, ...) are touched only on the control plane,
 * which then publishes the combined {@link #health()} and {@link #effectiveWeight()} with
 * volatile writes.
 *
 * <p><b>EWMA races.</b> The latency EWMA and its timestamp are two fields. A report CASes the
 * value and then writes the stamp; two concurrent reports may each decay from the same stamp.
 * The error is one sample's decay step, which is far below the noise of latency itself, and it
 * keeps reporting lock-free and allocation-free.
 */
final class LiveEndpoint implements Endpoint {

  private static final VarHandle IN_FLIGHT;
  private static final VarHandle FAILURES;
  private static final VarHandle EWMA_BITS;
  private static final VarHandle PEAK_BITS;
  private static final VarHandle DONE;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      IN_FLIGHT = l.findVarHandle(LiveEndpoint.class, "inFlight", int.class);
      FAILURES = l.findVarHandle(LiveEndpoint.class, "consecutiveFailures", int.class);
      EWMA_BITS = l.findVarHandle(LiveEndpoint.class, "ewmaBits", long.class);
      PEAK_BITS = l.findVarHandle(LiveEndpoint.class, "peakBits", long.class);
      DONE = l.findVarHandle(TrackedSelection.class, "done", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Receives every completed report, after the statistics were updated. */
  interface OutcomeSink {
    void onOutcome(LiveEndpoint endpoint, Outcome outcome, long latencyNanos);
  }

  private final Ticker ticker;
  private final double decayNanos;
  private final OutcomeSink sink;
  private final Selection untracked = new UntrackedSelection();

  private volatile Server server;
  private volatile HealthState health;
  private volatile double effectiveWeight;

  private volatile int inFlight;
  private volatile int consecutiveFailures;
  private volatile Outcome lastOutcome;
  private volatile long ewmaBits; // Double bits; NaN-free, 0 before first sample
  private volatile long peakBits;
  private volatile long lastSampleNanos;
  private volatile boolean sampled;

  // Per-input signals: control plane only.
  ActiveHealth[] active;
  String[] activeReason;
  String[] ejection;
  double[] multiplier;
  AdmissionGate[] gates;
  volatile AdmissionGate gate; // the combined gate; non-null only while some input installs one
  final Map<String, String> details = new ConcurrentSkipListMap<>();

  LiveEndpoint(Server server, int inputs, boolean unknownPickable, Ticker ticker, long decayNanos, OutcomeSink sink) {
    this.server = server;
    this.ticker = ticker;
    this.decayNanos = decayNanos;
    this.sink = sink;
    this.active = new ActiveHealth[inputs];
    this.activeReason = new String[inputs];
    this.ejection = new String[inputs];
    this.multiplier = new double[inputs];
    Arrays.fill(multiplier, 1.0);
    this.gates = new AdmissionGate[inputs];
    this.health = HealthState.initial(unknownPickable);
    this.effectiveWeight = server.weight();
  }

  @Override
  public Server server() {
    return server;
  }

  @Override
  public HealthState health() {
    return health;
  }

  @Override
  public double effectiveWeight() {
    return effectiveWeight;
  }

  @Override
  public int inFlight() {
    return inFlight;
  }

  @Override
  public boolean hasLatencySample() {
    return sampled;
  }

  @Override
  public long latencyEwmaNanos() {
    return (long) Double.longBitsToDouble(ewmaBits);
  }

  @Override
  public long peakEwmaNanos() {
    return (long) Double.longBitsToDouble(peakBits);
  }

  @Override
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  @Override
  public Outcome lastOutcome() {
    return lastOutcome;
  }

  @Override
  public Selection selection() {
    return untracked;
  }

  @Override
  public Selection track() {
    IN_FLIGHT.getAndAdd(this, 1);
    return new TrackedSelection(this);
  }

  @Override
  public Selection tryTrack(int maxInFlight) {
    int current;
    do {
      current = inFlight;
      if (current + 1 > maxInFlight) {
        return null;
      }
    } while (!IN_FLIGHT.compareAndSet(this, current, current + 1));
    return new TrackedSelection(this);
  }

  // ---- control plane ----

  void setServer(Server s) {
    this.server = s;
  }

  void publishHealth(HealthState h) {
    this.health = h;
    this.effectiveWeight = Math.max(server.weight() * h.weightMultiplier(), Double.MIN_NORMAL);
  }

  ServerView view() {
    return new ServerView(
        server,
        health,
        inFlight,
        latencyEwmaNanos(),
        peakEwmaNanos(),
        consecutiveFailures,
        lastOutcome,
        effectiveWeight,
        details);
  }

  @Override
  public String toString() {
    return server.id() + " [" + health + ", inFlight=" + inFlight + "]";
  }

  // ---- reporting ----

  void record(long latencyNanos, Outcome outcome) {
    if (outcome == null) {
      outcome = Outcome.CANCELLED;
    }
    lastOutcome = outcome;
    if (outcome != Outcome.CANCELLED) {
      if (outcome.isFailure()) {
        FAILURES.getAndAdd(this, 1);
      } else if (consecutiveFailures != 0) {
        consecutiveFailures = 0;
      }
      sample(Math.max(0L, latencyNanos));
    }
    sink.onOutcome(this, outcome, latencyNanos);
  }

  private void sample(long rtt) {
    long now = ticker.nanoTime();
    if (!sampled) {
      // First sample: adopt it outright. A racing second sample just decays from it.
      EWMA_BITS.setVolatile(this, Double.doubleToRawLongBits(rtt));
      PEAK_BITS.setVolatile(this, Double.doubleToRawLongBits(rtt));
      lastSampleNanos = now;
      sampled = true;
      return;
    }
    double td = Math.max(0L, now - lastSampleNanos);
    double w = Math.exp(-td / decayNanos);
    long bits;
    double next;
    do {
      bits = ewmaBits;
      next = Double.longBitsToDouble(bits) * w + rtt * (1.0 - w);
    } while (!EWMA_BITS.compareAndSet(this, bits, Double.doubleToRawLongBits(next)));
    do {
      bits = peakBits;
      double cost = Double.longBitsToDouble(bits);
      next = rtt > cost ? rtt : cost * w + rtt * (1.0 - w);
    } while (!PEAK_BITS.compareAndSet(this, bits, Double.doubleToRawLongBits(next)));
    lastSampleNanos = now;
  }

  /** The shared selection of an algorithm that tracks nothing per call. */
  private final class UntrackedSelection implements Selection {
    @Override
    public Server server() {
      return server;
    }

    @Override
    public void complete(long latencyNanos, Outcome outcome) {
      record(latencyNanos, outcome);
    }

    @Override
    public String toString() {
      return "Selection{" + server.id() + "}";
    }
  }

  /** One tracked pick: releases its in-flight count at most once. */
  static final class TrackedSelection implements Selection {
    private final LiveEndpoint endpoint;
    private final Server server;
    @SuppressWarnings("unused") // accessed through DONE
    private volatile int done;

    TrackedSelection(LiveEndpoint endpoint) {
      this.endpoint = endpoint;
      this.server = endpoint.server;
    }

    @Override
    public Server server() {
      return server;
    }

    @Override
    public void complete(long latencyNanos, Outcome outcome) {
      if (DONE.compareAndSet(this, 0, 1)) {
        IN_FLIGHT.getAndAdd(endpoint, -1);
        endpoint.record(latencyNanos, outcome);
      }
    }

    /** Releases the in-flight count without reporting an outcome: the pick was refused. */
    void abandon() {
      if (DONE.compareAndSet(this, 0, 1)) {
        IN_FLIGHT.getAndAdd(endpoint, -1);
      }
    }

    @Override
    public String toString() {
      return "Selection{" + server.id() + ", tracked}";
    }
  }
}
