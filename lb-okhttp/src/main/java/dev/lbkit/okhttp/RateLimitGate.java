package dev.lbkit.okhttp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import okhttp3.Request;

/** The live limiters of one {@link RateLimit}: one, one per cluster, or one per key. */
final class RateLimitGate {
  /** Per-key limiters idle this long (at least a period) are dropped: they are full again anyway. */
  private static final Duration MIN_KEY_IDLE = Duration.ofMinutes(1);

  final RateLimit limit;
  /** The limit's cluster as {@link LbConfig} keys clusters, or null for every call. */
  private final String cluster;
  private final Limiter global;
  private final Map<String, Limiter> perCluster;
  private final Cache<String, Limiter> perKey;

  RateLimitGate(RateLimit limit, dev.lbkit.api.Ticker ticker, Executor cacheExecutor) {
    this.limit = limit;
    this.cluster = limit.cluster() == null ? null : LbConfig.clusterRef(limit.cluster());
    this.global = limit.scope() == RateLimit.Scope.GLOBAL ? Limiter.create(limit) : null;
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
  Limiter limiterFor(Request request, String cluster) {
    switch (limit.scope()) {
      case GLOBAL:
        return global;
      case CLUSTER:
        return cluster == null ? null : perCluster.computeIfAbsent(cluster, c -> Limiter.create(limit));
      case KEY:
        String key = request.header(limit.keyHeader());
        return perKey.get(key == null ? "" : key, k -> Limiter.create(limit));
      default:
        throw new AssertionError(limit.scope());
    }
  }

  Cache<String, Limiter> perKeyCache() {
    return perKey;
  }
}
