package dev.lbkit.okhttp;

import java.io.IOException;

/**
 * A call that lbkit itself refused: no pickable server, an unknown host in strict mode, a rate
 * limit, an exhausted retry budget, a throttled retry, a passed deadline or a closed balancer.
 *
 * <p>It is an {@link IOException} on purpose: OkHttp passes only {@code IOException}s from an
 * interceptor to {@link okhttp3.Callback#onFailure}; anything else thrown under {@code enqueue()}
 * reaches the thread's uncaught-exception handler while the caller only sees "Canceled".
 */
public final class LbException extends IOException {

  private static final long serialVersionUID = 1L;

  /** Why lbkit refused the call. */
  public enum Reason {
    /** The cluster had no server that may be picked; the message says why. */
    NO_SERVER,
    /** Strict mode: the host names no cluster and matches no rule. */
    UNKNOWN_HOST,
    /** A rate limit had no permit within the allowed wait. */
    RATE_LIMITED,
    /** A retry was needed but the retry budget was spent; the cause is the last failure. */
    RETRY_BUDGET_EXHAUSTED,
    /**
     * A retry was needed but the cluster as a whole is failing (its retry throttle, see {@link
     * RetryPolicy#throttleMinSuccessPercent()}); the cause is the last failure.
     */
    RETRY_THROTTLED,
    /** The call's deadline passed before an attempt could start. */
    DEADLINE_EXCEEDED,
    /**
     * The cluster's picker was closed ({@code LoadBalancer.close()}) while the client still routes
     * to it: a lifecycle error of the application, not a lack of servers.
     */
    CLOSED
  }

  private final Reason reason;
  private final String cluster;

  LbException(Reason reason, String cluster, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.cluster = cluster;
  }

  /** Why the call was refused. */
  public Reason reason() {
    return reason;
  }

  /** The cluster the call was routed to, or the request's host when none was chosen. */
  public String cluster() {
    return cluster;
  }
}
