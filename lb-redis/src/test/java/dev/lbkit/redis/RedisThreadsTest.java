package dev.lbkit.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lbkit.okhttp.RateLimit;
import dev.lbkit.okhttp.RateLimiter;
import dev.lbkit.testing.FakeTicker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing the backend releases its connection and every thread it started (Lettuce's, named lettuce-*). */
class RedisThreadsTest {
  private static final String PREFIX = "lettuce-";
  private static final Duration LIMIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  private static Set<String> threads() {
    Set<String> names = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith(PREFIX)) {
        names.add(t.getName() + "#" + t.getId());
      }
    }
    return names;
  }

  @Test
  void closeStopsEveryThreadAndConnectionTheBackendStarted() throws Exception {
    try (RedisServer redis = RedisServer.start(dir)) {
      Set<String> before = threads();
      FakeTicker ticker = new FakeTicker();
      RedisRateLimiterBackend backend = RedisRateLimiterBackend.builder(redis.uri()).ticker(ticker).build();
      Set<String> started;
      try {
        Warmup.connect(backend, ticker);
        RateLimiter limiter = backend.create(
            RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 5, Duration.ofSeconds(1)).backend(backend).build(), "", ticker);
        assertEquals(0, limiter.tryAcquire(ticker.nanoTime()));
        started = threads();
        started.removeAll(before);
        assertFalse(started.isEmpty(), "the backend runs Lettuce threads while open");
        assertEquals("2", clientCount(redis), "this test's probe and the backend's connection");
      } finally {
        backend.close();
      }
      long deadline = System.nanoTime() + LIMIT.toNanos();
      Set<String> left = threads();
      left.retainAll(started);
      while (!left.isEmpty() && System.nanoTime() - deadline < 0) {
        Thread.sleep(20);
        left = threads();
        left.retainAll(started);
      }
      assertEquals(Set.of(), left, "threads still running " + LIMIT + " after close");
      String clients = clientCount(redis);
      while (!clients.equals("1") && System.nanoTime() - deadline < 0) {
        Thread.sleep(20); // Redis notices the closed connection asynchronously
        clients = clientCount(redis);
      }
      assertEquals("1", clients, "only this test's probe is connected after close");
      backend.close(); // idempotent
      assertEquals(Set.of(), threads().stream().filter(started::contains).collect(java.util.stream.Collectors.toSet()));
      System.out.printf("lb-redis threads: %d started (%s), all ended after close%n", started.size(), started);
    }
  }

  /** Connected clients, counting the probe connection that asks. */
  private static String clientCount(RedisServer redis) throws Exception {
    return redis.command("EVAL \"return string.match(redis.call('INFO', 'clients'), 'connected_clients:(%d+)')\" 0");
  }
}
