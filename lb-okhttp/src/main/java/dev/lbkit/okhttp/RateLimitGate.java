package dev.lbkit.okhttp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.lbkit.api.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;

/**
 * The live limiters of one {@link RateLimit}: one, one per cluster, or one per key; and the
 * wait for one of their permits.
 *
 * <p>Threading: shared by every call; the limiter maps are concurrent and each {@link
 * RateLimiter} is safe under concurrency ({@link RateLimiter}'s contract, which also bounds how
 * long a remote backend may take). A waiting call holds no lock.
 */
final class RateLimitGate {
  /** Per-key limiters idle this long (at least a period) are dropped: they are full again anyway. */
  private static final Duration MIN_KEY_IDLE = Duration.ofMinutes(1);

  final RateLimit limit;
  /** The limit's cluster as {@link LbConfig} keys clusters, or null for every call. */
  private final String cluster;
  private final Ticker ticker;
  private final Sleeper sleeper;
  private final RateLimiter global;
  private final Map<String, RateLimiter> perCluster;
  private final Cache<String, RateLimiter> perKey;

  RateLimitGate(RateLimit limit, Ticker ticker, Sleeper sleeper, Executor cacheExecutor) {
    this.limit = limit;
    this.cluster = limit.cluster() == null ? null : LbConfig.clusterRef(limit.cluster());
    this.ticker = ticker;
    this.sleeper = sleeper;
    this.global = limit.scope() == RateLimit.Scope.GLOBAL ? limit.backend().create(limit, "", ticker) : null;
    this.perCluster = limit.scope() == RateLimit.Scope.CLUSTER ? new ConcurrentHashMap<>() : null;
    Duration idle = limit.period().compareTo(MIN_KEY_IDLE) > 0 ? limit.period() : MIN_KEY_IDLE;
    this.perKey =
        limit.scope() == RateLimit.Scope.KEY
            ? Caffeine.newBuilder()
                .maximumSize(limit.maxKeys())
                .expireAfterAccess(idle)
                .ticker(ticker::nanoTime)
                .executor(cacheExecutor)
                .build()
            : null;
  }

  /** Whether the limit applies to a call routed to {@code cluster} (a cluster key, or null for pass-through). */
  boolean appliesTo(String cluster) {
    return this.cluster == null || this.cluster.equals(cluster);
  }

  /** The limiter for this request; {@code cluster} is null for a pass-through call. */
  RateLimiter limiterFor(Request request, String cluster) {
    switch (limit.scope()) {
      case GLOBAL:
        return global;
      case CLUSTER:
        return cluster == null ? null : perCluster.computeIfAbsent(cluster, c -> limit.backend().create(limit, c, ticker));
      case KEY:
        String key = request.header(limit.keyHeader());
        return perKey.get(key == null ? "" : key, k -> limit.backend().create(limit, k, ticker));
      default:
        throw new AssertionError(limit.scope());
    }
  }

  /**
   * Takes one permit for {@code request}, routed to {@code cluster} (a cluster key, or null for
   * pass-through). Over the limit it waits, up to {@link RateLimit#maxWait()} in all and never
   * when the permit would come at or after the deadline.
   *
   * @return the permit taken, or null when this limit does not apply to the call
   * @throws LbException {@link LbException.Reason#RATE_LIMITED} when no permit comes in time;
   *     nothing was taken from this limit then
   * @throws java.io.InterruptedIOException when interrupted while waiting
   */
  Permit acquire(Request request, String cluster, CallDeadline deadline) throws IOException {
    RateLimiter limiter = appliesTo(cluster) ? limiterFor(request, cluster) : null;
    if (limiter == null) {
      return null;
    }
    long maxWait = limit.maxWait().toNanos();
    long waited = 0;
    while (true) {
      long now = ticker.nanoTime();
      long wait = limiter.tryAcquire(now);
      if (wait == 0) {
        return new Permit(limiter, now);
      }
      wait = Math.max(1, wait); // a backend's hint; compared by subtraction so a huge one cannot overflow
      if (wait > maxWait - waited || deadline.remainingNanos(now) <= wait) {
        String name = cluster != null ? cluster : request.url().host();
        throw new LbException(LbException.Reason.RATE_LIMITED, name,
            name + ": rate limited by " + limit + "; next permit in " + TimeUnit.NANOSECONDS.toMillis(wait) + " ms", null);
      }
      InterruptibleSleep.sleep(sleeper, wait);
      waited += wait;
    }
  }

  Cache<String, RateLimiter> perKeyCache() {
    return perKey;
  }

  /** One permit taken from a limiter; {@link #release()} gives it back. */
  static final class Permit {
    private final RateLimiter limiter;
    private final long grantedAtNanos;

    private Permit(RateLimiter limiter, long grantedAtNanos) {
      this.limiter = limiter;
      this.grantedAtNanos = grantedAtNanos;
    }

    /** Gives the permit back, as {@link RateLimiter#release} describes. */
    void release() {
      limiter.release(grantedAtNanos);
    }
  }
}
