package dev.lbkit.api;

/**
 * How one request to one server ended, as reported through {@link Selection#complete}.
 *
 * <p>Least connections, least response time and outlier detection learn from these reports.
 * Which outcomes count as failures for ejection is the outlier detector's configuration; the
 * default classification is {@link #isFailure()}.
 */
public enum Outcome {
  /** The server answered and the answer counts as a success (for HTTP: 1xx to 4xx). */
  SUCCESS,
  /** The connection could not be established (refused, unreachable, TLS handshake failed). */
  CONNECT_FAILURE,
  /** The server did not answer in time. */
  TIMEOUT,
  /** The server answered with an error of its own (for HTTP: 5xx). */
  SERVER_ERROR,
  /** The exchange broke after it started, for example a reset connection mid-response. */
  IO_ERROR,
  /**
   * The caller gave up (cancellation) or failed locally: says nothing about the server, so it
   * is neither a success nor a failure. Latency of a cancelled call is not sampled.
   */
  CANCELLED;

  /** Whether this outcome says the server misbehaved: every outcome but success and cancel. */
  public boolean isFailure() {
    return this != SUCCESS && this != CANCELLED;
  }
}
