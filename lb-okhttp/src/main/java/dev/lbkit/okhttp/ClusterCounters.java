package dev.lbkit.okhttp;

import java.util.Objects;

/**
 * A snapshot of one cluster's counters since the client was wrapped. Obtain it with {@link
 * LbOkHttp#counters(okhttp3.OkHttpClient)}.
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

  ClusterCounters(
      String cluster,
      long requests,
      long attempts,
      long retries,
      long successes,
      long failures,
      long noServer,
      long rateLimited,
      long budgetExhausted) {
    this.cluster = cluster;
    this.requests = requests;
    this.attempts = attempts;
    this.retries = retries;
    this.successes = successes;
    this.failures = failures;
    this.noServer = noServer;
    this.rateLimited = rateLimited;
    this.budgetExhausted = budgetExhausted;
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
        && budgetExhausted == c.budgetExhausted;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        cluster, requests, attempts, retries, successes, failures, noServer, rateLimited, budgetExhausted);
  }

  @Override
  public String toString() {
    return "ClusterCounters{" + cluster + ": requests=" + requests + ", attempts=" + attempts
        + ", retries=" + retries + ", successes=" + successes + ", failures=" + failures
        + ", noServer=" + noServer + ", rateLimited=" + rateLimited
        + ", budgetExhausted=" + budgetExhausted + "}";
  }
}
