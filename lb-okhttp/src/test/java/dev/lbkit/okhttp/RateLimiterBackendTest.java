package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lbkit.api.Ticker;
import dev.lbkit.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The limiter SPI: a custom backend sees every scope value, the client's clock, and releases. */
class RateLimiterBackendTest {
  private Backends backends;

  @BeforeEach
  void start() throws IOException {
    backends = Backends.start(1);
  }

  @AfterEach
  void close() throws IOException {
    backends.close();
  }

  /** A backend whose limiters grant {@code budget} permits each and log what they are asked. */
  static final class FakeBackend implements RateLimiterBackend {
    final List<String> events = new CopyOnWriteArrayList<>();
    final int budget;

    FakeBackend(int budget) {
      this.budget = budget;
    }

    @Override
    public void validate(RateLimit limit) {
      if (limit.algorithm() != RateLimit.Algorithm.TOKEN_BUCKET) {
        throw new IllegalArgumentException("algorithm must be TOKEN_BUCKET for fake, was " + limit.algorithm());
      }
    }

    @Override
    public RateLimiter create(RateLimit limit, String scopeKey, Ticker ticker) {
      events.add("create " + limit.scope() + " '" + scopeKey + "'");
      AtomicInteger left = new AtomicInteger(budget);
      return new RateLimiter() {
        @Override
        public long tryAcquire(long nowNanos) {
          assertEquals(ticker.nanoTime(), nowNanos);
          boolean granted = left.getAndUpdate(n -> n > 0 ? n - 1 : n) > 0;
          events.add((granted ? "grant '" : "refuse '") + scopeKey + "'");
          return granted ? 0 : 7_000_000L;
        }

        @Override
        public void release(long grantedAtNanos) {
          assertEquals(ticker.nanoTime(), grantedAtNanos);
          left.incrementAndGet();
          events.add("release '" + scopeKey + "'");
        }
      };
    }

    @Override
    public String toString() {
      return "fake";
    }
  }

  @Test
  void localIsTheDefaultBackend() {
    RateLimit limit = RateLimit.builder(RateLimit.Algorithm.SLIDING_WINDOW, 1, Duration.ofSeconds(1)).build();
    assertSame(RateLimiterBackend.local(), limit.backend());
    assertEquals("RateLimit{SLIDING_WINDOW 1/PT1S, GLOBAL, maxWait PT0S}", limit.toString());
  }

  @Test
  void theBackendRejectsAnAlgorithmAtBuild() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RateLimit.builder(RateLimit.Algorithm.FIXED_WINDOW, 1, Duration.ofSeconds(1)).backend(new FakeBackend(1)).build());
    assertEquals("algorithm must be TOKEN_BUCKET for fake, was FIXED_WINDOW", e.getMessage());
  }

  @Test
  void aCustomBackendLimitsPerKeyAndGetsBackThePermitOfARefusedCall() throws IOException {
    FakeTicker ticker = new FakeTicker();
    FakeBackend keys = new FakeBackend(2);
    FakeBackend global = new FakeBackend(10);
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().ticker(ticker).sleeper(ticker::advanceNanos)
        .cluster("user-service", Backends.roundRobin("user-service", backends.all()))
        .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 2, Duration.ofSeconds(1)).global().backend(global).build())
        .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 2, Duration.ofSeconds(1)).perKey("X-Key")
            .backend(keys).build())
        .build());
    assertEquals(200, code(client, "A"));
    assertEquals(200, code(client, "A"));
    LbException e = assertThrows(LbException.class, () -> code(client, "A"));
    assertEquals("user-service: rate limited by RateLimit{TOKEN_BUCKET 2/PT1S, KEY X-Key, maxWait PT0S, backend fake};"
        + " next permit in 7 ms", e.getMessage());
    assertEquals(200, code(client, "B"));
    assertEquals(List.of("create KEY 'A'", "grant 'A'", "grant 'A'", "refuse 'A'", "create KEY 'B'", "grant 'B'"), keys.events);
    assertEquals(List.of("create GLOBAL ''", "grant ''", "grant ''", "grant ''", "release ''", "grant ''"), global.events);
    assertEquals(3, backends.dispatcher(0).count.get());
  }

  @Test
  void aPerClusterLimitIsCreatedWithTheClusterKey() throws IOException {
    FakeTicker ticker = new FakeTicker();
    FakeBackend clusters = new FakeBackend(1);
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().ticker(ticker).sleeper(ticker::advanceNanos)
        .cluster("User-Service", Backends.roundRobin("user-service", backends.all()))
        .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1, Duration.ofSeconds(1)).perCluster()
            .backend(clusters).build())
        .build());
    assertEquals(200, code(client, "A"));
    assertThrows(LbException.class, () -> code(client, "A"));
    assertEquals(List.of("create CLUSTER 'user-service'", "grant 'user-service'", "refuse 'user-service'"), clusters.events);
  }

  private static int code(OkHttpClient client, String key) throws IOException {
    try (Response r = client.newCall(new Request.Builder().url("http://user-service/").header("X-Key", key).build()).execute()) {
      return r.code();
    }
  }
}
