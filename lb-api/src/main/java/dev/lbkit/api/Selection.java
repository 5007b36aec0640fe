package dev.lbkit.api;

/**
 * The result of one pick: the chosen server, and the way to report how the request ended.
 *
 * <p><b>Reporting.</b> Call {@link #complete} once when the request really ends: for HTTP, when
 * the response body is closed or fully read, so that streams and WebSockets count as
 * long-lived in-flight requests. The latency passed is measured to the response headers.
 * Least connections, least response time and outlier detection all learn from this report.
 *
 * <p><b>Exactly once.</b> Only the first {@code complete} call counts: a second call for the same
 * pick is ignored and never releases the in-flight count a second time.
 *
 * <p><b>Allocation.</b> Algorithms that track nothing per call (round robin, random, hashing)
 * return a shared per-server selection: picking allocates nothing, and a report only feeds the
 * latency and failure statistics. Algorithms that count in-flight requests allocate one small
 * selection per pick, so that a repeated report can be recognised; their docs say so.
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
