package dev.lbkit.redis;

import static org.junit.jupiter.api.Assertions.fail;

import dev.lbkit.okhttp.RateLimit;
import dev.lbkit.okhttp.RateLimiter;
import dev.lbkit.testing.FakeTicker;
import java.time.Duration;

/**
 * Opens a backend's connection before a test measures anything. The first call of a JVM loads
 * Lettuce, Netty and Bucket4j, which takes seconds on a loaded 2-core machine: longer than the
 * timeouts under test. It asks a bucket of its own ({@code cluster:warmup}), never the ones tested.
 */
final class Warmup {
  private static final Duration LIMIT = Duration.ofSeconds(90);

  /**
   * The Redis timeout of tests that count exact grants: a reply slower than the timeout falls back
   * (a local grant or a refusal) and would change the count, and a loaded 2-core machine can be
   * that slow. Tests of the timeout itself use short ones.
   */
  static final Duration PATIENT_TIMEOUT = Duration.ofSeconds(5);

  private Warmup() {}

  static void connect(RedisRateLimiterBackend backend, FakeTicker ticker) {
    RateLimit limit = RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1_000_000, Duration.ofSeconds(1)).perCluster()
        .backend(backend).build();
    RateLimiter warm = backend.create(limit, "warmup", ticker);
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (warm.tryAcquire(ticker.nanoTime()) == 0 && backend.reachable()) {
        return;
      }
      // A failed try marked Redis unreachable: the next probe is due one timeout later on the ticker.
      ticker.advance(backend.timeout().plusNanos(1));
    }
    fail(backend + " did not answer within " + LIMIT);
  }
}
