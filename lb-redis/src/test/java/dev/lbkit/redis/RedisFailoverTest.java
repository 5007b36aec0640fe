package dev.lbkit.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lbkit.okhttp.RateLimit;
import dev.lbkit.okhttp.RateLimiter;
import dev.lbkit.redis.RedisRateLimiterBackend.WhenUnavailable;
import dev.lbkit.testing.FakeTicker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis is killed mid-run and restarted on the same port: two clients sharing a limit of 5 per
 * 10 s fall back as configured, then share the limit again. Bucket time is a fake ticker; the
 * outage, Lettuce's reconnection and the timeouts are real time, awaited in bounded loops.
 */
class RedisFailoverTest {
  private static final int PERMITS = 5;
  private static final Duration PERIOD = Duration.ofSeconds(10);
  /** The timeout of the test of a silent Redis, where it is what is measured. */
  private static final Duration TIMEOUT = Duration.ofMillis(300);
  /** Allowance for a loaded 2-core machine on top of the timeout; the figures are printed. */
  private static final Duration SLACK = Duration.ofSeconds(2);
  private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private RedisServer redis;
  private final FakeTicker ticker = new FakeTicker();
  private final List<RedisRateLimiterBackend> backends = new ArrayList<>();
  private final List<Long> warmTransitions = new ArrayList<>();
  private long slowestCallNanos;

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start(dir);
  }

  @AfterEach
  void stop() {
    backends.forEach(RedisRateLimiterBackend::close);
    if (redis != null) {
      redis.close();
    }
  }

  private RateLimiter client(WhenUnavailable mode, Duration timeout) {
    RedisRateLimiterBackend backend = RedisRateLimiterBackend.builder(redis.uri()).keyPrefix("failover").timeout(timeout)
        .whenUnavailable(mode).ticker(ticker).wallClock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC))
        .build();
    backends.add(backend);
    Warmup.connect(backend, ticker);
    warmTransitions.add(backend.transitions()); // a warm-up that timed out while loading classes counts two
    RateLimit limit = RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, PERMITS, PERIOD).backend(backend).build();
    return backend.create(limit, "", ticker);
  }

  /** Asks until refused (at most 3 × the limit); returns the grants, tracking the slowest call. */
  private int drain(RateLimiter limiter) {
    int granted = 0;
    for (int k = 0; k < 3 * PERMITS; k++) {
      long start = System.nanoTime();
      long wait = limiter.tryAcquire(ticker.nanoTime());
      slowestCallNanos = Math.max(slowestCallNanos, System.nanoTime() - start);
      if (wait != 0) {
        return granted;
      }
      granted++;
    }
    return granted;
  }

  @Test
  void failOpenFallsBackToLocalBucketsThenSharesTheLimitAgainWhenRedisReturns() throws Exception {
    RateLimiter a = client(WhenUnavailable.FAIL_OPEN, Warmup.PATIENT_TIMEOUT);
    RateLimiter b = client(WhenUnavailable.FAIL_OPEN, Warmup.PATIENT_TIMEOUT);
    assertEquals(List.of(PERMITS, 0), List.of(drain(a), drain(b)), "shared while Redis is up");

    long killed = System.nanoTime();
    redis.kill();
    ticker.advance(PERIOD);
    slowestCallNanos = 0;
    // Each process now enforces the limit on its own: the fleet admits 2 × the limit.
    assertEquals(List.of(PERMITS, PERMITS), List.of(drain(a), drain(b)), "local buckets while Redis is down");
    long fallbackNanos = System.nanoTime() - killed;
    assertFalse(backends.get(0).reachable());
    assertFalse(backends.get(1).reachable());
    // Lettuce rejects commands at once while disconnected: no call waits for the timeout.
    assertTrue(slowestCallNanos <= SLACK.toNanos(), "slowest call " + slowestCallNanos / 1e6 + " ms");
    long slowestDown = slowestCallNanos;

    long restarted = System.nanoTime();
    redis.restart();
    long resumedAfter = awaitShared(a, b);
    assertTransitions();
    System.out.printf("lb-redis fail open: kill -> both clients on local buckets in %.0f ms (slowest call %.1f ms);"
            + " restart -> shared limit again after %.0f ms%n",
        fallbackNanos / 1e6, slowestDown / 1e6, (resumedAfter - restarted) / 1e6);
  }

  @Test
  void failClosedRefusesWhileRedisIsDownThenSharesTheLimitAgainWhenRedisReturns() throws Exception {
    RateLimiter a = client(WhenUnavailable.FAIL_CLOSED, Warmup.PATIENT_TIMEOUT);
    RateLimiter b = client(WhenUnavailable.FAIL_CLOSED, Warmup.PATIENT_TIMEOUT);
    assertEquals(List.of(PERMITS, 0), List.of(drain(a), drain(b)), "shared while Redis is up");

    long killed = System.nanoTime();
    redis.kill();
    ticker.advance(PERIOD);
    slowestCallNanos = 0;
    assertEquals(List.of(0, 0), List.of(drain(a), drain(b)), "refusals while Redis is down");
    long refusedNanos = System.nanoTime() - killed;
    assertEquals(Warmup.PATIENT_TIMEOUT.toNanos(), a.tryAcquire(ticker.nanoTime()), "a refusal hints the probe interval");
    assertTrue(slowestCallNanos <= SLACK.toNanos(), "slowest call " + slowestCallNanos / 1e6 + " ms");
    long slowestDown = slowestCallNanos;

    long restarted = System.nanoTime();
    redis.restart();
    long resumedAfter = awaitShared(a, b);
    assertTransitions();
    System.out.printf("lb-redis fail closed: kill -> refusals in %.0f ms (slowest call %.1f ms);"
            + " restart -> shared limit again after %.0f ms%n",
        refusedNanos / 1e6, slowestDown / 1e6, (resumedAfter - restarted) / 1e6);
  }

  /** Each client saw Redis go down once and come back once, and logged each change once. */
  private void assertTransitions() {
    for (int i = 0; i < backends.size(); i++) {
      assertEquals(2, backends.get(i).transitions() - warmTransitions.get(i), "down, then up, for client " + i);
    }
  }

  /**
   * Refills every bucket and drains A then B until they share one limit again (A gets it all, B
   * nothing, both on Redis); returns when. Bounded by {@link #RECOVERY_LIMIT}.
   */
  private long awaitShared(RateLimiter a, RateLimiter b) throws InterruptedException {
    long deadline = System.nanoTime() + RECOVERY_LIMIT.toNanos();
    List<Integer> last = List.of();
    while (System.nanoTime() - deadline < 0) {
      ticker.advance(PERIOD); // refills everything, and makes each drain's first call a probe
      last = List.of(drain(a), drain(b));
      if (last.equals(List.of(PERMITS, 0)) && backends.stream().allMatch(RedisRateLimiterBackend::reachable)) {
        long at = System.nanoTime();
        ticker.advance(PERIOD);
        assertEquals(List.of(PERMITS, 0), List.of(drain(a), drain(b)), "still shared");
        return at;
      }
      Thread.sleep(20);
    }
    fail("the shared limit did not resume within " + RECOVERY_LIMIT + "; last grants " + last);
    return 0;
  }

  /**
   * A Redis that keeps its socket but answers nothing (SIGSTOP): the probing call waits the
   * timeout, the calls after it go straight to the fallback until the next probe is due.
   */
  @Test
  void aRedisThatAnswersNothingDelaysOnlyTheProbingCallAndByAtMostTheTimeout() throws Exception {
    RateLimiter a = client(WhenUnavailable.FAIL_OPEN, TIMEOUT);
    redis.pause(true);
    try {
      long start = System.nanoTime();
      assertEquals(0, a.tryAcquire(ticker.nanoTime()), "granted by the local bucket");
      long probe = System.nanoTime() - start;
      assertTrue(probe >= TIMEOUT.toNanos() * 9 / 10 && probe <= TIMEOUT.plus(SLACK).toNanos(), "probe took " + probe / 1e6 + " ms");
      start = System.nanoTime();
      assertEquals(0, a.tryAcquire(ticker.nanoTime()));
      long next = System.nanoTime() - start;
      assertTrue(next < TIMEOUT.toNanos(), "a call before the next probe took " + next / 1e6 + " ms");
      assertFalse(backends.get(0).reachable());
      System.out.printf("lb-redis paused Redis: probing call %.1f ms (timeout %d ms), next call %.2f ms%n",
          probe / 1e6, TIMEOUT.toMillis(), next / 1e6);
    } finally {
      redis.pause(false);
    }
    long deadline = System.nanoTime() + RECOVERY_LIMIT.toNanos();
    while (!backends.get(0).reachable() && System.nanoTime() - deadline < 0) {
      ticker.advance(TIMEOUT);
      a.tryAcquire(ticker.nanoTime());
      Thread.sleep(20);
    }
    assertTrue(backends.get(0).reachable(), "Redis answers again after SIGCONT");
  }
}
