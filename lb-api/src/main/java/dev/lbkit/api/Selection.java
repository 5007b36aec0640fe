package dev.lbkit.api;

/**
 * The result of one pick: the chosen server, and the way to report how the request ended.
 *
 * <p><b>Reporting.</b> Call {@link #complete} once when the request really ends: for HTTP, when
 * the response body is closed or fully read, so that streams and WebSockets count as
 * long-lived in-flight requests. The latency passed is measured to the response headers.
 * Least connections, least response time and outlier detection all learn from this report.
 *
 * <p><b>Exactly once.</b> Only the first {@code complete} call counts, for every algorithm: a
 * second call for the same pick is ignored, never counts a second failure and never releases
 * the in-flight count a second time.
 *
 * <p><b>Allocation.</b> Every pick returns its own selection, so that a repeated report can be
 * recognised. lbkit's algorithms allocate one 24-byte object per pick (with compressed oops: the
 * endpoint and a claim flag), whether they track nothing per call (round robin, random, hashing)
 * or count in-flight requests.
 *
 * <p>Implementations are thread-safe: {@code complete} may be called from any thread.
 */
public interface Selection {

  /** The chosen server. */
  Server server();

  /**
   * Reports the outcome of the request. Only the first call for a pick counts.
   *
   * @param latencyNanos time from sending the request to the response headers, in nanoseconds;
   *     ignored for {@link Outcome#CANCELLED}. Negative values are treated as zero.
   * @param outcome how the request ended
   */
  void complete(long latencyNanos, Outcome outcome);

  /**
   * Reports the outcome of the request with the time it ended, so that the runtime need not read
   * its clock: a caller that measured {@code latencyNanos} already holds that reading. Only the
   * first call for a pick counts, whichever of the two {@code complete} methods it is.
   *
   * <p>{@code endNanos} must come from the balancer's ticker ({@link System#nanoTime()} unless the
   * builder was given another): it becomes the timestamp of the latency sample, from which the
   * estimates decay. A reading from another clock corrupts the latency estimates of
   * latency-aware algorithms. Algorithms that read no latency ignore it.
   *
   * @param latencyNanos as for {@link #complete(long, Outcome)}
   * @param outcome how the request ended
   * @param endNanos a reading of the balancer's ticker when the request ended
   */
  default void complete(long latencyNanos, Outcome outcome, long endNanos) {
    complete(latencyNanos, outcome);
  }
}
