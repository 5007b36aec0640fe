package dev.lbkit.okhttp;

import java.util.Objects;

/**
 * A snapshot of one cluster's counters since the client was wrapped, with the current levels of
 * its retry budget and retry throttle. Obtain it with {@link
 * LbOkHttp#counters(okhttp3.OkHttpClient)}; taking one costs a few reads and two short locks, so
 * a metrics gauge may take one per scrape.
 */
public final class ClusterCounters {
  private final String cluster;
  private final long requests;
  private final long attempts;
  private final long retries;
  private final long successes;
  private final long failures;
  private final long noServer;
  private final long rateLimited;
  private final long budgetExhausted;
  private final long retriesThrottled;
  private final long budgetRemaining;
  private final int throttleWindowAttempts;
  private final int throttleWindowSuccesses;
  private final boolean throttleAllowsRetries;

  ClusterCounters(
      String cluster,
      long requests,
      long attempts,
      long retries,
      long successes,
      long failures,
      long noServer,
      long rateLimited,
      long budgetExhausted,
      long retriesThrottled,
      long budgetRemaining,
      int throttleWindowAttempts,
      int throttleWindowSuccesses,
      boolean throttleAllowsRetries) {
    this.cluster = cluster;
    this.requests = requests;
    this.attempts = attempts;
    this.retries = retries;
    this.successes = successes;
    this.failures = failures;
    this.noServer = noServer;
    this.rateLimited = rateLimited;
    this.budgetExhausted = budgetExhausted;
    this.retriesThrottled = retriesThrottled;
    this.budgetRemaining = budgetRemaining;
    this.throttleWindowAttempts = throttleWindowAttempts;
    this.throttleWindowSuccesses = throttleWindowSuccesses;
    this.throttleAllowsRetries = throttleAllowsRetries;
  }

  /** The cluster's name. */
  public String cluster() {
    return cluster;
  }

  /** Requests routed to the cluster (each redirect hop counts once). */
  public long requests() {
    return requests;
  }

  /** Attempts sent to a server (first tries plus retries). */
  public long attempts() {
    return attempts;
  }

  /** Retries started. */
  public long retries() {
    return retries;
  }

  /** Attempts whose outcome was a success. */
  public long successes() {
    return successes;
  }

  /** Attempts whose outcome was a failure (connect, timeout, 5xx, I/O). */
  public long failures() {
    return failures;
  }

  /** Requests refused because no server was pickable. */
  public long noServer() {
    return noServer;
  }

  /** Requests refused by a rate limit. */
  public long rateLimited() {
    return rateLimited;
  }

  /** Retries refused by the retry budget. */
  public long budgetExhausted() {
    return budgetExhausted;
  }

  /** Retries refused by the retry throttle because the cluster as a whole was failing. */
  public long retriesThrottled() {
    return retriesThrottled;
  }

  /**
   * A level, not a counter: how many retries the cluster's retry budget allows when the snapshot
   * was taken ({@link RetryPolicy#budgetPercent()} of the window's requests plus its reserve,
   * minus the window's retries), at least 0.
   */
  public long budgetRemaining() {
    return budgetRemaining;
  }

  /**
   * A level: how many outcomes the retry throttle's window holds, up to {@link
   * RetryPolicy#throttleWindow()}.
   */
  public int throttleWindowAttempts() {
    return throttleWindowAttempts;
  }

  /** A level: how many of {@link #throttleWindowAttempts()} were successes. */
  public int throttleWindowSuccesses() {
    return throttleWindowSuccesses;
  }

  /** A level: whether the retry throttle allowed retries when the snapshot was taken. */
  public boolean throttleAllowsRetries() {
    return throttleAllowsRetries;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ClusterCounters)) {
      return false;
    }
    ClusterCounters c = (ClusterCounters) o;
    return cluster.equals(c.cluster)
        && requests == c.requests
        && attempts == c.attempts
        && retries == c.retries
        && successes == c.successes
        && failures == c.failures
        && noServer == c.noServer
        && rateLimited == c.rateLimited
        && budgetExhausted == c.budgetExhausted
        && retriesThrottled == c.retriesThrottled
        && budgetRemaining == c.budgetRemaining
        && throttleWindowAttempts == c.throttleWindowAttempts
        && throttleWindowSuccesses == c.throttleWindowSuccesses
        && throttleAllowsRetries == c.throttleAllowsRetries;
  }

  @Override
  public int hashCode() {
    return Objects.hash(cluster, requests, attempts, retries, successes, failures, noServer, rateLimited,
        budgetExhausted, retriesThrottled, budgetRemaining, throttleWindowAttempts, throttleWindowSuccesses,
        throttleAllowsRetries);
  }

  @Override
  public String toString() {
    return "ClusterCounters{" + cluster + ": requests=" + requests + ", attempts=" + attempts
        + ", retries=" + retries + ", successes=" + successes + ", failures=" + failures
        + ", noServer=" + noServer + ", rateLimited=" + rateLimited
        + ", budgetExhausted=" + budgetExhausted + ", retriesThrottled=" + retriesThrottled
        + ", budgetRemaining=" + budgetRemaining + ", throttle=" + throttleWindowSuccesses + "/"
        + throttleWindowAttempts + (throttleAllowsRetries ? " allowing" : " refusing") + "}";
  }
}
