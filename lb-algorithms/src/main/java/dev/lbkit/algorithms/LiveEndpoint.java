package dev.lbkit.algorithms;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.api.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The runtime's per-server object: configuration, combined health and live statistics. One
 * instance lives as long as its server id stays in the list, across every picker rebuild.
 *
 * <p><b>Threading.</b> Statistics are updated lock-free from reporting threads. Health is
 * combined from the inputs' signals by {@link HealthSignals} on the control plane, which then
 * publishes {@link #health()} and {@link #effectiveWeight()} here with volatile writes.
 *
 * <p><b>Latency estimates.</b> Two estimates are kept, an EWMA and a Peak EWMA (Finagle's
 * {@code PeakEwma}, tower's {@code PeakEwma}), both in time with decay time τ:
 * <ul>
 *   <li><b>Decay on read</b>, Peak EWMA only: a read returns the stored estimate decayed towards
 *       zero by its age, {@code stored × exp(-age / τ)}, as Finagle and tower do, so that an idle
 *       server is eventually tried again: one slow answer cannot starve a server for ever. The
 *       plain EWMA is an unbiased average in time and does not decay on read (decaying towards
 *       zero between samples would bias it low under steady traffic); expiry forgives it.
 *   <li><b>A sample.</b> EWMA: {@code stored × w + rtt × (1 - w)} with {@code w = exp(-td / τ)}
 *       and {@code td} the time since the previous sample. Peak EWMA: {@code rtt} when it
 *       exceeds the decayed estimate, else {@code decayed × w + rtt × (1 - w)}.
 *   <li><b>Expiry.</b> A sample older than {@value #EXPIRY_DECAY_TIMES} decay times (its weight
 *       is then below e<sup>-3</sup> ≈ 5%) has expired: {@link #hasLatencySample()} is false
 *       again, algorithms cost the server as one without samples, and the next sample is
 *       adopted outright, as the first one is. This follows gRPC's weighted round robin, whose
 *       expired weights count as missing; it bounds how long an old peak can keep traffic away.
 *   <li><b>Failures</b> never make a server look faster: a failed outcome is sampled as {@code
 *       max(latency, failure penalty)}, and raises both estimates to at least that at once, as a
 *       peak does. A refused connection returns in 0.1 ms; sampled as is it would make a dead
 *       server the fastest one. {@link Outcome#CANCELLED} samples nothing.
 * </ul>
 *
 * <p><b>Timestamps.</b> A sample is stamped with the end time the caller gave ({@link
 * Selection#complete(long, Outcome, long)}) or else one reading of the ticker; a pick reads the
 * ticker once for all its candidates. With {@link LoadBalancerBuilder#coarseClock(boolean) the
 * coarse clock} ({@link CoarseTicker}), every reading lags true time by less than L (1 ms plus the
 * timer thread's wake-up delay), so each age and each gap between samples is off by less than L:
 * <ul>
 *   <li>a decayed read is within a factor {@code e^(±L/τ)} of the exact one (1 ± 10⁻⁴ at the
 *       default τ = 10 s);
 *   <li>the plain EWMA is a mean of the samples weighted by the gap before each; with gaps of at
 *       least G, every weight is within a factor {@code 1 ± ε}, {@code ε = e^(L/τ)(1 + L/G) - 1},
 *       so the estimate is within {@code ε × R / 2} of the exact one, R the range of the samples
 *       (for samples 10 ms apart, ε ≈ 0.1; 1 s apart, ε ≈ 0.001);
 *   <li>samples within one tick of each other share a stamp: their gap counts as zero, so only
 *       the first moves the plain EWMA (its weight covers the tick), and the Peak EWMA still
 *       jumps at once to any sample above it.
 * </ul>
 * {@code CoarseClockEwmaProperties} checks the first two bounds.
 *
 * <p><b>EWMA races.</b> An estimate and its timestamp are two fields. A report CASes the value
 * and then writes the stamp; two concurrent reports may each decay from the same stamp, and a
 * read may pair a new value with the previous stamp. The error is one sample's decay step, far
 * below the noise of latency itself, and it keeps reporting lock-free.
 */
final class LiveEndpoint extends EndpointHead implements Endpoint {

  private static final VarHandle IN_FLIGHT;
  private static final VarHandle FAILURES;
  private static final VarHandle EWMA_BITS;
  private static final VarHandle PEAK_BITS;
  private static final VarHandle CLAIMED;

  /** A sample older than this many decay times has expired; see the class comment. */
  static final int EXPIRY_DECAY_TIMES = 3;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      IN_FLIGHT = l.findVarHandle(EndpointHead.class, "inFlight", int.class);
      FAILURES = l.findVarHandle(EndpointHead.class, "consecutiveFailures", int.class);
      EWMA_BITS = l.findVarHandle(LiveEndpoint.class, "ewmaBits", long.class);
      PEAK_BITS = l.findVarHandle(LiveEndpoint.class, "peakBits", long.class);
      CLAIMED = l.findVarHandle(OneShotSelection.class, "claimed", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Receives completed reports, after the statistics were updated: every one, or only failures. */
  interface OutcomeSink {
    void onOutcome(LiveEndpoint endpoint, Outcome outcome, long latencyNanos);
  }

  private final Ticker ticker;
  /** 1 / decay time: reads and samples multiply by it, as a division costs several times more. */
  private final double perDecayNanos;
  private final long expiryNanos;
  private final long failurePenaltyNanos;
  private final OutcomeSink sink;

  // The counters, health, flags and completion marker that every request touches are in
  // EndpointHead, next to the object header.
  private volatile Server server;

  private volatile long ewmaBits; // Double bits; NaN-free, 0 before first sample
  private volatile long peakBits;
  private volatile long lastSampleNanos;
  private volatile boolean sampled;

  /** Details published by health inputs (breaker state, slow-start progress), shown in views. */
  final Map<String, String> details = new ConcurrentSkipListMap<>();

  LiveEndpoint(
      Server server,
      boolean unknownPickable,
      Ticker ticker,
      long decayNanos,
      long failurePenaltyNanos,
      boolean latencyTracked,
      OutcomeSink sink,
      boolean failuresOnly) {
    super(latencyTracked, failuresOnly);
    this.server = server;
    this.ticker = ticker;
    this.perDecayNanos = 1.0 / decayNanos;
    this.expiryNanos = decayNanos > Long.MAX_VALUE / EXPIRY_DECAY_TIMES
        ? Long.MAX_VALUE : decayNanos * EXPIRY_DECAY_TIMES;
    this.failurePenaltyNanos = failurePenaltyNanos;
    this.sink = sink;
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
    return hasLatencySample(ticker.nanoTime());
  }

  @Override
  public boolean hasLatencySample(long nowNanos) {
    return sampled && nowNanos - lastSampleNanos < expiryNanos;
  }

  @Override
  public long latencyEwmaNanos() {
    return (long) Double.longBitsToDouble(ewmaBits);
  }

  @Override
  public long peakEwmaNanos() {
    return peakEwmaNanos(ticker.nanoTime());
  }

  /** The Peak EWMA decayed towards zero by its age at {@code nowNanos}: Finagle's decay on read. */
  @Override
  public long peakEwmaNanos(long nowNanos) {
    double stored = Double.longBitsToDouble(peakBits);
    if (stored == 0) {
      return 0;
    }
    long age = nowNanos - lastSampleNanos;
    return age <= 0 ? (long) stored : (long) (stored * Decay.weight(age * perDecayNanos));
  }

  /** Whether latency statistics are kept; when not, views show them as not tracked. */
  boolean latencyTracked() {
    return latencyTracked;
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
    return new UntrackedSelection(this);
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

  /**
   * A view of this server with {@code state}, its server and health as one snapshot published
   * them, its live statistics, and {@code openTooLong} selections open past the leak limit.
   */
  ServerView view(Server state, HealthState health, int openTooLong) {
    return new ServerView(
        state,
        health,
        inFlight,
        latencyTracked ? latencyEwmaNanos() : ServerView.NOT_TRACKED,
        latencyTracked ? peakEwmaNanos() : ServerView.NOT_TRACKED,
        consecutiveFailures,
        lastOutcome,
        Math.max(state.weight() * health.weightMultiplier(), Double.MIN_NORMAL),
        details,
        openTooLong);
  }

  @Override
  public String toString() {
    return server.id() + " [" + health + ", inFlight=" + inFlight + "]";
  }

  // ---- reporting ----

  void record(long latencyNanos, Outcome outcome) {
    record(latencyNanos, outcome, false, 0L);
  }

  /**
   * Records one outcome; {@code stamped} when the caller gave {@code endNanos}, the sample's
   * timestamp, else the ticker is read (only when latency is tracked).
   */
  void record(long latencyNanos, Outcome outcome, boolean stamped, long endNanos) {
    if (outcome == null) {
      outcome = Outcome.CANCELLED;
    }
    // Written only on a change: under steady success the field's cache line is only read, and
    // stays shared between the reporting cores.
    if (lastOutcome != outcome) {
      lastOutcome = outcome;
    }
    if (outcome != Outcome.CANCELLED) {
      long rtt = Math.max(0L, latencyNanos);
      if (outcome.isFailure()) {
        FAILURES.getAndAdd(this, 1);
        if (latencyTracked) {
          sample(Math.max(rtt, failurePenaltyNanos), true, stamped ? endNanos : ticker.nanoTime());
        }
      } else {
        if (consecutiveFailures != 0) {
          consecutiveFailures = 0;
        }
        if (latencyTracked) {
          sample(rtt, false, stamped ? endNanos : ticker.nanoTime());
        }
      }
    }
    if (!failuresOnly || outcome.isFailure()) {
      sink.onOutcome(this, outcome, latencyNanos);
    }
  }

  private void sample(long rtt, boolean failure, long now) {
    long td = now - lastSampleNanos;
    if (!sampled || td >= expiryNanos) {
      // First or expired: adopt the sample outright. A racing sample just decays from it.
      EWMA_BITS.setVolatile(this, Double.doubleToRawLongBits(rtt));
      PEAK_BITS.setVolatile(this, Double.doubleToRawLongBits(rtt));
      lastSampleNanos = now;
      sampled = true;
      return;
    }
    if (td <= 0) {
      // Same stamp as the last sample (the same tick of the coarse clock) or an earlier one (a
      // caller's stamp, reports racing): the weight is exactly 1, so a blend leaves both
      // estimates as they are and only a peak raises them. Skipping the blend writes nothing to
      // the shared line in the common case, and keeps the later stamp.
      raise(true, rtt);
      if (failure) {
        raise(false, rtt);
      }
      return;
    }
    double w = Decay.weight(td * perDecayNanos);
    long bits;
    double next;
    do {
      bits = ewmaBits;
      double stored = Double.longBitsToDouble(bits);
      next = stored * w + rtt * (1.0 - w);
      if (failure && next < rtt) {
        next = rtt; // a failure is scored as a peak: never a gradual blend towards the penalty
      }
    } while (!EWMA_BITS.compareAndSet(this, bits, Double.doubleToRawLongBits(next)));
    do {
      bits = peakBits;
      double decayed = Double.longBitsToDouble(bits) * w;
      next = rtt > decayed ? rtt : decayed * w + rtt * (1.0 - w);
    } while (!PEAK_BITS.compareAndSet(this, bits, Double.doubleToRawLongBits(next)));
    lastSampleNanos = now;
  }

  /**
   * Raises the Peak EWMA ({@code peak}) or the EWMA to {@code rtt} unless it is already at least
   * that. Each handle is named where it is used, so that it stays a constant when this method is
   * compiled on its own.
   */
  private void raise(boolean peak, long rtt) {
    long bits;
    long next = Double.doubleToRawLongBits(rtt);
    do {
      bits = peak ? peakBits : ewmaBits;
      if (Double.longBitsToDouble(bits) >= rtt) {
        return;
      }
    } while (!(peak ? PEAK_BITS.compareAndSet(this, bits, next) : EWMA_BITS.compareAndSet(this, bits, next)));
  }

  /**
   * One pick: its endpoint and a claim flag, 24 bytes with compressed oops. The first {@code
   * complete} sets the flag with one CAS, so that only the first report counts. The CAS is what
   * exactly-once costs: two threads may complete the same pick at once (a timeout racing the
   * response), and a plain read then write would let both through.
   *
   * <p><b>Why a flag beside the reference.</b> A 16-byte form held one reference and swapped it
   * from the endpoint to a "completed" marker that the endpoint held; the swap's new value had to
   * be read from the endpoint and the old value's type checked: loads that depend on the
   * endpoint's own, between a pick's atomic increment and the claim's CAS, locked instructions
   * that on x86 order every memory access around them. The flag's CAS takes constants. Round
   * robin, random and smooth WRR measured lower per request this way, in every alternating pair
   * of runs (benchmarks/README.md, "The selection's claim flag"); the 8 more bytes cost a
   * larger pointer bump.
   */
  abstract static class OneShotSelection implements Selection {
    /** Final, so that a racy publication sees it written too. */
    final LiveEndpoint endpoint;

    /**
     * 0 until the first {@code complete} CASes it to 1; read and written only through {@link
     * #CLAIMED}. Left at the allocation's zero: a write here would be one more store per pick.
     */
    @SuppressWarnings("unused")
    private int claimed;

    OneShotSelection(LiveEndpoint endpoint) {
      this.endpoint = endpoint;
    }

    /** The endpoint, for the one caller that sets the flag; null for every later caller. */
    final LiveEndpoint claim() {
      boolean first = (int) CLAIMED.getAcquire(this) == 0 && CLAIMED.compareAndSet(this, 0, 1);
      return first ? endpoint : null;
    }

    /** The server as its endpoint has it now: the picked id, with its latest configuration. */
    @Override
    public final Server server() {
      return endpoint.server;
    }
  }

  /** One pick of an algorithm that counts nothing per call. */
  static final class UntrackedSelection extends OneShotSelection {
    UntrackedSelection(LiveEndpoint endpoint) {
      super(endpoint);
    }

    @Override
    public void complete(long latencyNanos, Outcome outcome) {
      LiveEndpoint ep = claim();
      if (ep != null) {
        ep.record(latencyNanos, outcome);
      }
    }

    @Override
    public void complete(long latencyNanos, Outcome outcome, long endNanos) {
      LiveEndpoint ep = claim();
      if (ep != null) {
        ep.record(latencyNanos, outcome, true, endNanos);
      }
    }

    @Override
    public String toString() {
      return "Selection{" + server().id() + "}";
    }
  }

  /** One tracked pick: releases its in-flight count at most once. */
  static final class TrackedSelection extends OneShotSelection {
    TrackedSelection(LiveEndpoint endpoint) {
      super(endpoint);
    }

    @Override
    public void complete(long latencyNanos, Outcome outcome) {
      LiveEndpoint ep = claim();
      if (ep != null) {
        IN_FLIGHT.getAndAdd(ep, -1);
        ep.record(latencyNanos, outcome);
      }
    }

    @Override
    public void complete(long latencyNanos, Outcome outcome, long endNanos) {
      LiveEndpoint ep = claim();
      if (ep != null) {
        IN_FLIGHT.getAndAdd(ep, -1);
        ep.record(latencyNanos, outcome, true, endNanos);
      }
    }

    /** Releases the in-flight count without reporting an outcome: the pick was refused. */
    void abandon() {
      LiveEndpoint ep = claim();
      if (ep != null) {
        IN_FLIGHT.getAndAdd(ep, -1);
      }
    }

    @Override
    public String toString() {
      return "Selection{" + server().id() + ", tracked}";
    }
  }
}
