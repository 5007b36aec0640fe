package dev.lbkit.redis;

import dev.lbkit.okhttp.RateLimiter;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One token bucket in Redis (one scope value of one limit), through Bucket4j's compare-and-swap
 * on Lettuce, with the fallback its backend configures while Redis is unreachable.
 *
 * <p>A permit is one {@code tryConsumeAndReturnRemaining(1)}: Bucket4j reads the bucket, computes
 * the refill on this client's clock, and writes the new state back only if nobody wrote in
 * between (else it reads again), so concurrent clients never both spend the same token. The wait
 * for it is bounded by the timeout; a call that times out counts as "not granted" even if Redis
 * took the token (the limit may lose a token, never grant one too many) and marks Redis
 * unreachable.
 *
 * <p>Fallback: fail open asks a local token bucket of the same limit (so each process enforces the
 * limit on its own: N processes admit up to N times it); fail closed refuses, hinting the probe
 * interval as the wait.
 *
 * <p>Threading: thread-safe; the bucket proxy is created once, racily but idempotently.
 */
final class RedisLimiter implements RateLimiter {
  private final RedisLink link;
  private final String key;
  private final BucketConfiguration configuration;
  private final RateLimiter local;
  private volatile AsyncBucketProxy bucket;

  /** {@code local} is the fail-open fallback, or null to fail closed. */
  RedisLimiter(RedisLink link, String key, BucketConfiguration configuration, RateLimiter local) {
    this.link = link;
    this.key = key;
    this.configuration = configuration;
    this.local = local;
  }

  @Override
  public long tryAcquire(long nowNanos) {
    long deadline = System.nanoTime() + link.timeoutNanos();
    AsyncProxyManager<String> proxy = link.proxyForCall(nowNanos, deadline);
    if (proxy == null) {
      return fallback(nowNanos);
    }
    CompletableFuture<ConsumptionProbe> reply = null;
    try {
      reply = bucket(proxy).tryConsumeAndReturnRemaining(1);
      ConsumptionProbe probe = reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      link.succeeded();
      return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
    } catch (ExecutionException e) {
      link.failed(nowNanos, e.getCause() != null ? e.getCause() : e);
    } catch (TimeoutException | RuntimeException e) {
      if (reply != null) {
        reply.cancel(true);
      }
      link.failed(nowNanos, e);
    } catch (InterruptedException e) {
      // Not Redis's fault: give up this try, keep the interrupt for the caller's wait to see.
      Thread.currentThread().interrupt();
      if (reply != null) {
        reply.cancel(true);
      }
      return link.timeoutNanos();
    }
    return fallback(nowNanos);
  }

  private long fallback(long nowNanos) {
    return local != null ? local.tryAcquire(nowNanos) : link.timeoutNanos();
  }

  private AsyncBucketProxy bucket(AsyncProxyManager<String> proxy) {
    AsyncBucketProxy b = bucket;
    if (b == null) {
      b = proxy.builder().build(key, () -> CompletableFuture.completedFuture(configuration));
      bucket = b;
    }
    return b;
  }

  /**
   * Gives the token back where it was taken, as far as that can be told: to the local bucket
   * while failing open, else to Redis, waiting for the reply up to the timeout so that this
   * caller's next call sees it. Best effort, as {@link RateLimiter#release} allows: a failure is
   * not reported, and Bucket4j caps the bucket at its capacity.
   */
  @Override
  public void release(long grantedAtNanos) {
    if (local != null && !link.reachable()) {
      local.release(grantedAtNanos);
      return;
    }
    AsyncBucketProxy b = bucket;
    if (b == null) {
      return;
    }
    CompletableFuture<Void> reply = null;
    try {
      reply = b.addTokens(1);
      reply.get(link.timeoutNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | RuntimeException e) {
      // best effort: Redis rejected the command while disconnected
    } catch (TimeoutException e) {
      reply.cancel(true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return key;
  }
}
