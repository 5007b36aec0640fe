package dev.lbkit.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lbkit.okhttp.RateLimit;
import dev.lbkit.okhttp.RateLimiter;
import dev.lbkit.redis.RedisRateLimiterBackend.WhenUnavailable;
import dev.lbkit.testing.FakeTicker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Configuration is checked at build(), naming field and value; building never connects. */
class RedisRateLimiterBackendBuilderTest {

  private static String buildFails(RedisRateLimiterBackend.Builder builder) {
    return assertThrows(IllegalArgumentException.class, builder::build).getMessage();
  }

  @Test
  void rejectsBadUris() {
    assertEquals("uri must be redis://host:port or rediss://host:port, was null", buildFails(RedisRateLimiterBackend.builder(null)));
    assertEquals("uri must be redis://host:port or rediss://host:port, was ' '", buildFails(RedisRateLimiterBackend.builder(" ")));
    assertEquals("uri must be redis://host:port or rediss://host:port, was 'http://cache:6379'",
        buildFails(RedisRateLimiterBackend.builder("http://cache:6379")));
    assertEquals("uri must be redis://host:port or rediss://host:port, was 'cache:6379'",
        buildFails(RedisRateLimiterBackend.builder("cache:6379")));
    assertEquals("uri must name a host, was 'redis:///0'", buildFails(RedisRateLimiterBackend.builder("redis:///0")));
    assertEquals("uri port must be in [1, 65535], was 'redis://cache:70000'",
        buildFails(RedisRateLimiterBackend.builder("redis://cache:70000")));
    assertEquals("uri must be redis://host:port or rediss://host:port, was 'redis://cache:6379/ x': Illegal character in path",
        buildFails(RedisRateLimiterBackend.builder("redis://cache:6379/ x")));
  }

  @Test
  void neverShowsThePasswordOfAUri() {
    assertEquals("uri port must be in [1, 65535], was 'redis://***@cache:70000'",
        buildFails(RedisRateLimiterBackend.builder("redis://user:secret@cache:70000")));
    try (RedisRateLimiterBackend b = RedisRateLimiterBackend.builder("redis://:secret@cache:6379/2").build()) {
      assertEquals("redis://***@cache:6379/2", b.uri());
      assertEquals("redis redis://***@cache:6379/2 lbkit:rl (FAIL_OPEN, timeout PT0.2S)", b.toString());
    }
  }

  @Test
  void rejectsBadKeyPrefixes() {
    RedisRateLimiterBackend.Builder b = RedisRateLimiterBackend.builder("redis://cache:6379");
    assertEquals("keyPrefix must be 1 to 128 printable ASCII characters without spaces, was ''", buildFails(b.keyPrefix("")));
    assertEquals("keyPrefix must be 1 to 128 printable ASCII characters without spaces, was 'my app'",
        buildFails(b.keyPrefix("my app")));
    assertEquals("keyPrefix must be 1 to 128 printable ASCII characters without spaces, was null", buildFails(b.keyPrefix(null)));
    assertEquals("keyPrefix must be 1 to 128 printable ASCII characters without spaces, was '" + "p".repeat(129) + "'",
        buildFails(b.keyPrefix("p".repeat(129))));
  }

  @Test
  void rejectsBadTimeouts() {
    RedisRateLimiterBackend.Builder b = RedisRateLimiterBackend.builder("redis://cache:6379");
    assertEquals("timeout must be in [PT0.001S, PT1M], was PT0S", buildFails(b.timeout(Duration.ZERO)));
    assertEquals("timeout must be in [PT0.001S, PT1M], was PT-1S", buildFails(b.timeout(Duration.ofSeconds(-1))));
    assertEquals("timeout must be in [PT0.001S, PT1M], was PT1M0.001S", buildFails(b.timeout(Duration.ofMillis(60_001))));
    assertEquals("timeout must be in [PT0.001S, PT1M], was null", buildFails(b.timeout(null)));
  }

  @ParameterizedTest
  @EnumSource(value = RateLimit.Algorithm.class, names = "TOKEN_BUCKET", mode = EnumSource.Mode.EXCLUDE)
  void rejectsEveryAlgorithmButTheTokenBucketNamingIt(RateLimit.Algorithm algorithm) {
    try (RedisRateLimiterBackend redis = RedisRateLimiterBackend.builder("redis://cache:6379").build()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RateLimit.builder(algorithm, 10, Duration.ofSeconds(1)).perCluster().backend(redis).build());
      assertEquals("algorithm must be TOKEN_BUCKET with a Redis backend (Bucket4j offers token buckets only), was "
          + algorithm, e.getMessage());
    }
  }

  /** A client starts while Redis is down, and falls back from its first call, within the timeout. */
  @ParameterizedTest
  @EnumSource(WhenUnavailable.class)
  void buildsWithoutRedisAndFallsBackFromTheFirstCall(WhenUnavailable mode) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    FakeTicker ticker = new FakeTicker();
    try (RedisRateLimiterBackend redis = RedisRateLimiterBackend.builder("redis://127.0.0.1:" + port)
        .timeout(Duration.ofMillis(500)).whenUnavailable(mode).ticker(ticker).build()) {
      RateLimit limit = RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 2, Duration.ofSeconds(1)).backend(redis).build();
      RateLimiter limiter = redis.create(limit, "", ticker);
      if (mode == WhenUnavailable.FAIL_OPEN) {
        assertEquals(0, limiter.tryAcquire(ticker.nanoTime()));
        assertEquals(0, limiter.tryAcquire(ticker.nanoTime()));
        assertEquals(500_000_000L, limiter.tryAcquire(ticker.nanoTime()), "the local bucket's wait for one token");
      } else {
        assertEquals(500_000_000L, limiter.tryAcquire(ticker.nanoTime()), "refused, hinting the probe interval");
      }
      assertFalse(redis.reachable());
      assertEquals(1, redis.transitions());
    }
  }
}
