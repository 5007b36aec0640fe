package dev.lbkit.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.okhttp.RateLimit;
import dev.lbkit.okhttp.RateLimiter;
import dev.lbkit.testing.FakeTicker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four independent clients (each its own backend, so its own Redis connection and threads) share
 * one token bucket of 50 permits per second. Time is a shared fake ticker, frozen while the
 * clients' threads ask for permits until each is refused, so demand always exceeds supply.
 */
class RedisExactnessTest {
  private static final int CLIENTS = 4;
  private static final int THREADS_PER_CLIENT = 3;
  private static final int PERMITS = 50;
  private static final long PERIOD = TimeUnit.SECONDS.toNanos(1);
  private static final int STEPS = 30;

  @TempDir static Path dir;
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start(dir);
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  /** The most a token bucket grants in a closed interval of {@code nanos}: burst + rate × T. */
  private static long bound(long nanos) {
    return PERMITS + Math.floorDiv(PERMITS * nanos, PERIOD);
  }

  @Test
  void grantsInEveryIntervalReachButNeverExceedBurstPlusRateTimesT() throws Exception {
    FakeTicker ticker = new FakeTicker();
    Clock wall = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    List<RedisRateLimiterBackend> backends = new ArrayList<>();
    List<RateLimiter> limiters = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS * THREADS_PER_CLIENT);
    try {
      for (int c = 0; c < CLIENTS; c++) {
        // Fail closed with a generous timeout: a Redis failure would then show as missing grants.
        RedisRateLimiterBackend backend = RedisRateLimiterBackend.builder(redis.uri()).keyPrefix("exact")
            .timeout(Duration.ofSeconds(5)).whenUnavailable(RedisRateLimiterBackend.WhenUnavailable.FAIL_CLOSED)
            .ticker(ticker).wallClock(wall).build();
        backends.add(backend);
        Warmup.connect(backend, ticker);
        RateLimit limit = RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, PERMITS, Duration.ofNanos(PERIOD))
            .backend(backend).build();
        limiters.add(backend.create(limit, "", ticker));
      }
      Random random = new Random(16);
      long[] times = new long[STEPS];
      long[] grants = new long[STEPS];
      AtomicLongArray perClient = new AtomicLongArray(CLIENTS);
      for (int step = 0; step < STEPS; step++) {
        if (step > 0) {
          // Under 1 s (the time to refill the whole burst), so the bucket is never capped.
          ticker.advance(Duration.ofMillis(1 + random.nextInt(400)).plusNanos(random.nextInt(1_000_000)));
        }
        times[step] = ticker.nanoTime();
        grants[step] = drain(pool, limiters, perClient, ticker.nanoTime());
      }
      for (RedisRateLimiterBackend b : backends) {
        assertTrue(b.reachable(), b + " lost Redis during the run");
      }
      long total = 0;
      for (int j = 0; j < STEPS; j++) {
        total += grants[j];
        // Reached: from the start, the clients got exactly the burst plus everything refilled.
        assertEquals(bound(times[j] - times[0]), total, "grants in [0, step " + j + "]");
        long sum = 0;
        for (int i = j; i >= 0; i--) {
          sum += grants[i];
          long b = bound(times[j] - times[i]);
          assertTrue(sum <= b, "grants in [step " + i + ", step " + j + "]: " + sum + " > bound " + b);
        }
      }
      for (int c = 0; c < CLIENTS; c++) {
        assertTrue(perClient.get(c) > 0, "client " + c + " got no permit at all");
      }
      System.out.printf("lb-redis exactness: %d clients x %d threads, %d steps over %.3f s: %d grants, bound %d"
              + " (burst %d + rate %d/s x T); per client %s%n", CLIENTS, THREADS_PER_CLIENT, STEPS,
          (times[STEPS - 1] - times[0]) / 1e9, total, bound(times[STEPS - 1] - times[0]), PERMITS, PERMITS, perClient);
    } finally {
      pool.shutdownNow();
      for (RedisRateLimiterBackend b : backends) {
        b.close();
      }
    }
  }

  /** Every thread of every client asks until refused, all at time {@code now}; returns the grants. */
  private static long drain(ExecutorService pool, List<RateLimiter> limiters, AtomicLongArray perClient, long now)
      throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Long>> results = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      for (int t = 0; t < THREADS_PER_CLIENT; t++) {
        results.add(pool.submit(() -> {
          start.await();
          long granted = 0;
          // Bounded: at a frozen time the bucket holds at most PERMITS tokens.
          for (int k = 0; k <= PERMITS && limiters.get(client).tryAcquire(now) == 0; k++) {
            granted++;
          }
          perClient.addAndGet(client, granted);
          return granted;
        }));
      }
    }
    start.countDown();
    long sum = 0;
    for (Future<Long> f : results) {
      sum += f.get(60, TimeUnit.SECONDS);
    }
    return sum;
  }
}
