package dev.lbkit.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbException;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.RateLimit;
import dev.lbkit.testing.FakeTicker;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's example, end to end: two OkHttp clients (as two processes would) share per-key
 * limits through a real Redis, and every per-key Redis key carries a TTL.
 */
class RedisRateLimitExampleTest {
  @TempDir Path dir;
  private RedisServer redis;
  private MockWebServer web;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final FakeTicker ticker = new FakeTicker();

  @BeforeEach
  void start() throws IOException {
    redis = RedisServer.start(dir);
    web = new MockWebServer();
    web.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().code(200).body("ok").build();
      }
    });
    web.start(InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    web.close();
    redis.close();
  }

  /** One client process: its own backend (connection) and its own OkHttp client. */
  private OkHttpClient process(String redisUri) {
    Duration redisTimeout = Warmup.PATIENT_TIMEOUT;
    LoadBalancer orders = LoadBalancer.builder("orders").servers(Server.of("127.0.0.1", web.getPort())).build();
    closeables.add(orders);
    // README:redis-limit
    RedisRateLimiterBackend redis = RedisRateLimiterBackend.builder(redisUri)   // redis://host:6379
        .keyPrefix("orders-client:rl")
        .timeout(redisTimeout)                                                   // longest wait on Redis
        .whenUnavailable(RedisRateLimiterBackend.WhenUnavailable.FAIL_OPEN)     // local buckets meanwhile
        .ticker(ticker)                                                          // the client's clock
        .build();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .ticker(ticker)
        .cluster("orders", orders)
        .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 3, Duration.ofSeconds(10))
            .perKey("X-Api-Key").backend(redis).build())                         // 3 per 10 s per key, fleet-wide
        .build());
    // README:end
    closeables.add(0, redis);
    Warmup.connect(redis, ticker);
    return client;
  }

  private static int call(OkHttpClient client, String apiKey) throws IOException {
    Request request = new Request.Builder().url("http://orders/items").header("X-Api-Key", apiKey).build();
    try (Response response = client.newCall(request).execute()) {
      return response.code();
    }
  }

  @Test
  void twoProcessesSharePerKeyLimitsAndEveryKeyExpires() throws Exception {
    OkHttpClient first = process(redis.uri());
    OkHttpClient second = process(redis.uri());
    assertEquals(200, call(first, "k-1"));
    assertEquals(200, call(second, "k-1"));
    assertEquals(200, call(first, "k-1"));
    LbException e = assertThrows(LbException.class, () -> call(second, "k-1"));
    assertEquals(LbException.Reason.RATE_LIMITED, e.reason());
    assertTrue(e.getMessage().startsWith("orders: rate limited by RateLimit{TOKEN_BUCKET 3/PT10S, KEY X-Api-Key, maxWait PT0S,"
        + " backend redis " + redis.uri() + " orders-client:rl (FAIL_OPEN, timeout PT5S)}; next permit in "), e.getMessage());
    assertEquals(200, call(second, "k-2"));
    assertEquals(4, web.getRequestCount());

    // A key lives until its bucket would be full again (3 tokens at 0.3/s: 10 s; 1 token: 3.34 s)
    // plus KEY_TTL_AFTER_FULL (5 s). Bucket time is frozen, so only real time has passed since
    // (seconds, on a loaded machine: hence the loose lower bounds).
    long full = pttl("orders-client:rl:key:x-api-key:k-1");
    assertTrue(full > 5_000 && full <= 15_000, "PTTL of k-1: " + full);
    long one = pttl("orders-client:rl:key:x-api-key:k-2");
    assertTrue(one > 0 && one <= 8_334 && one < full, "PTTL of k-2: " + one + ", of k-1: " + full);
    assertEquals(":-2", redis.command("PTTL orders-client:rl:key:x-api-key:k-3"), "a key nobody used does not exist");
    System.out.printf("lb-redis key expiry: PTTL %d ms (bucket empty: 10 s to full + 5 s), %d ms (one token: 3.34 s + 5 s)%n", full, one);
  }

  /** A per-cluster limit is shared per cluster: two processes, two clusters, one bucket each. */
  @Test
  void twoProcessesShareOneBucketPerCluster() throws Exception {
    List<OkHttpClient> processes = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      RedisRateLimiterBackend backend = RedisRateLimiterBackend.builder(redis.uri()).keyPrefix("pc").ticker(ticker)
          .timeout(Warmup.PATIENT_TIMEOUT).build();
      closeables.add(backend);
      Warmup.connect(backend, ticker);
      LoadBalancer orders = LoadBalancer.builder("orders").servers(Server.of("127.0.0.1", web.getPort())).build();
      LoadBalancer users = LoadBalancer.builder("users").servers(Server.of("127.0.0.1", web.getPort())).build();
      closeables.add(orders);
      closeables.add(users);
      processes.add(LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().ticker(ticker)
          .cluster("orders", orders).cluster("users", users)
          .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 2, Duration.ofSeconds(10)).perCluster()
              .backend(backend).build())
          .build()));
    }
    assertEquals(200, code(processes.get(0), "http://orders/"));
    assertEquals(200, code(processes.get(1), "http://orders/"));
    assertThrows(LbException.class, () -> code(processes.get(0), "http://orders/"));
    assertThrows(LbException.class, () -> code(processes.get(1), "http://orders/"));
    assertEquals(200, code(processes.get(1), "http://users/"));
    assertEquals(200, code(processes.get(0), "http://users/"));
    assertThrows(LbException.class, () -> code(processes.get(1), "http://users/"));
    assertEquals(4, web.getRequestCount());
    assertTrue(pttl("pc:cluster:orders") > 0);
    assertTrue(pttl("pc:cluster:users") > 0);
  }

  private static int code(OkHttpClient client, String url) throws IOException {
    try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
      return response.code();
    }
  }

  /**
   * A call that a later limit refuses gives its Redis permit back: three keys of one permit each
   * behind a shared global limit of 3, and key A's refused second call costs the fleet nothing.
   */
  @Test
  void aCallRefusedByALaterLimitGivesItsRedisPermitBack() throws Exception {
    RedisRateLimiterBackend backend = RedisRateLimiterBackend.builder(redis.uri()).keyPrefix("release").ticker(ticker)
        .timeout(Warmup.PATIENT_TIMEOUT).build();
    closeables.add(backend);
    Warmup.connect(backend, ticker);
    LoadBalancer orders = LoadBalancer.builder("orders").servers(Server.of("127.0.0.1", web.getPort())).build();
    closeables.add(orders);
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().ticker(ticker).cluster("orders", orders)
        .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 3, Duration.ofSeconds(10)).global().backend(backend).build())
        .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1, Duration.ofSeconds(10)).perKey("X-Api-Key").build())
        .build());
    assertEquals(200, call(client, "A"));
    for (int i = 0; i < 3; i++) {
      LbException e = assertThrows(LbException.class, () -> call(client, "A"));
      assertTrue(e.getMessage().contains("KEY X-Api-Key"), "refused by the per-key limit: " + e.getMessage());
    }
    assertEquals(200, call(client, "B"));
    assertEquals(200, call(client, "C"));
    LbException e = assertThrows(LbException.class, () -> call(client, "D"));
    assertTrue(e.getMessage().contains("GLOBAL"), "refused by the shared limit: " + e.getMessage());
    assertEquals(3, web.getRequestCount());
  }

  /** The local key cap bounds a client's memory, not Redis: expiry does, for every key. */
  @Test
  void keysEvictedFromTheLocalCacheStillExpireInRedis() throws Exception {
    RedisRateLimiterBackend backend = RedisRateLimiterBackend.builder(redis.uri()).keyPrefix("cap").ticker(ticker)
        .timeout(Warmup.PATIENT_TIMEOUT).build();
    closeables.add(backend);
    Warmup.connect(backend, ticker);
    LoadBalancer orders = LoadBalancer.builder("orders").servers(Server.of("127.0.0.1", web.getPort())).build();
    closeables.add(orders);
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().ticker(ticker).cluster("orders", orders)
        .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 5, Duration.ofSeconds(10)).perKey("X-Api-Key")
            .maxKeys(1).backend(backend).build())
        .build());
    for (int k = 0; k < 8; k++) {
      assertEquals(200, call(client, "user-" + k));
    }
    for (int k = 0; k < 8; k++) {
      long ttl = pttl("cap:key:x-api-key:user-" + k);
      // One token of 5 per 10 s: 2 s to full, plus 5 s, less the real time the calls took.
      assertTrue(ttl > 0 && ttl <= 7_000, "PTTL of user-" + k + ": " + ttl);
    }
  }

  private long pttl(String key) throws IOException {
    String reply = redis.command("PTTL " + key);
    assertTrue(reply.startsWith(":"), reply);
    return Long.parseLong(reply.substring(1));
  }
}
