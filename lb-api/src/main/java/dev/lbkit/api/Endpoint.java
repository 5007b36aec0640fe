package dev.lbkit.api;

/**
 * The live view of one server that algorithms and health inputs read: its configuration, its
 * health, and its statistics.
 *
 * <p>The runtime keeps one endpoint per server id. It survives picker rebuilds and list updates
 * in which the server stays, so a server keeps its in-flight count and latency history while
 * others come and go. All reads are lock-free and allocation-free; they may race with updates
 * and return a value that is a moment old.
 *
 * <p>Algorithms turn an endpoint into a {@link Selection} with {@link #selection()} (no
 * tracking), {@link #track()} (counts one in-flight request) or {@link #tryTrack(int)} (counts
 * one only below a cap, atomically). Each returns a new selection per pick, so that only the
 * first report of a pick counts.
 */
public interface Endpoint {

  /** The server's current configuration. */
  Server server();

  /** The server's current health. */
  HealthState health();

  /**
   * The weight algorithms use: {@code server().weight() * health().weightMultiplier()}, at
   * least a tiny positive number.
   */
  double effectiveWeight();

  /** Requests picked with tracking that have not completed yet. */
  int inFlight();

  /**
   * Whether a latency sample that has not expired exists. A sample expires after three EWMA
   * decay times without a newer one (30 s by default); algorithms then treat the server as one
   * without samples, and its next sample is adopted outright.
   */
  boolean hasLatencySample();

  /**
   * The time-decayed exponentially weighted moving average of latency, in nanoseconds; 0
   * before the first sample. Samples decay with the runtime's EWMA decay time (default 10 s,
   * as Finagle): a sample {@code t} nanoseconds old weighs {@code exp(-t / decay)}. A failure
   * counts as at least the runtime's failure penalty (default 1 s), never as its measured
   * latency.
   */
  long latencyEwmaNanos();

  /**
   * The Peak EWMA of latency, in nanoseconds; 0 before the first sample. A slower sample
   * raises it at once; faster ones lower it gradually with the decay time (Finagle's
   * {@code PeakEwma}), and it decays towards zero on read while no sample arrives, so that an
   * idle server is tried again. A failure counts as at least the failure penalty.
   */
  long peakEwmaNanos();

  /**
   * {@link #hasLatencySample()} at {@code nowNanos}, a reading of the runtime's ticker: lets a
   * pick read the clock once for all its candidates.
   */
  default boolean hasLatencySample(long nowNanos) {
    return hasLatencySample();
  }

  /** {@link #peakEwmaNanos()} at {@code nowNanos}, a reading of the runtime's ticker. */
  default long peakEwmaNanos(long nowNanos) {
    return peakEwmaNanos();
  }

  /** Failures reported in a row since the last success. */
  int consecutiveFailures();

  /** The last reported outcome, or null before the first report. */
  Outcome lastOutcome();

  /**
   * Returns a new untracked selection of this server: no in-flight count, one small object (16
   * bytes with compressed oops) that makes only its first report count.
   */
  Selection selection();

  /** Counts one more in-flight request and returns a selection that releases it once. */
  Selection track();

  /**
   * Counts one more in-flight request only if that keeps the count at or below {@code
   * maxInFlight}, atomically; returns the selection, or null when the server is at its cap.
   */
  Selection tryTrack(int maxInFlight);
}
