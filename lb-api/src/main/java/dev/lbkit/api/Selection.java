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
 * recognised. Algorithms that track nothing per call (round robin, random, hashing) allocate
 * one object of a single reference (16 bytes with compressed oops); algorithms that count
 * in-flight requests allocate one of 24 bytes.
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
}
