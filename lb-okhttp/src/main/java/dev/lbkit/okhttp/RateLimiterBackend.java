package dev.lbkit.okhttp;

import dev.lbkit.api.Ticker;

/**
 * Where the counters of a {@link RateLimit} live: in this process ({@link #local()}, the
 * default) or in a store shared by a fleet of clients (lb-redis's {@code RedisRateLimiterBackend}).
 * Set one with {@link RateLimit.Builder#backend}.
 *
 * <p>A backend creates one {@link RateLimiter} per scope value: one for a {@link
 * RateLimit.Scope#GLOBAL} limit, one per cluster for {@link RateLimit.Scope#CLUSTER}, one per
 * key for {@link RateLimit.Scope#KEY} (lbkit keeps at most {@link RateLimit#maxKeys()} of these
 * per client and drops idle ones; a backend whose store outlives them bounds that store itself,
 * for example by expiring keys). lbkit does not close a backend: whoever built one that holds
 * connections or threads closes it after the clients that use it.
 *
 * <p><b>Threading.</b> {@link #create} is called from calling threads, concurrently, and may run
 * inside a concurrent map's or cache's compute: it must be fast, must not block or do I/O, and
 * must not call back into the client. {@link #validate} runs in {@link RateLimit.Builder#build()}.
 */
public interface RateLimiterBackend {

  /** The built-in in-process limiters: every {@link RateLimit.Algorithm}, on the client's ticker. */
  static RateLimiterBackend local() {
    return LocalBackend.INSTANCE;
  }

  /**
   * Rejects, at {@link RateLimit.Builder#build()}, a limit this backend cannot enforce (for
   * example an algorithm it does not offer). The default accepts every limit.
   *
   * @throws IllegalArgumentException naming the field and its value
   */
  default void validate(RateLimit limit) {}

  /**
   * Creates the limiter of {@code limit} for one scope value.
   *
   * @param scopeKey {@code ""} for a global limit; the cluster's key (its lower-cased name) for a
   *     per-cluster limit; the header's value (or {@code ""} without the header) for a per-key
   *     limit
   * @param ticker the client's clock ({@link LbConfig.Builder#ticker}), whose readings {@link
   *     RateLimiter#tryAcquire} receives
   */
  RateLimiter create(RateLimit limit, String scopeKey, Ticker ticker);
}
