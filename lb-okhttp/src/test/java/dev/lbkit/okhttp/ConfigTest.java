package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Server;
import dev.lbkit.api.internal.RetryBudget;
import dev.lbkit.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class ConfigTest {
  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void configIsValidatedWithExactMessages() {
    assertEquals("cluster host must not be empty, was ''", message(() -> LbConfig.builder().cluster("", ctx -> null).build()));
    assertEquals("cluster A is defined twice",
        message(() -> LbConfig.builder().cluster("a", ctx -> null).cluster("A", ctx -> null).build()));
    assertEquals("callTimeout must be in (0, PT24H], was PT0S", message(() -> LbConfig.builder().callTimeout(Duration.ZERO).build()));
    assertEquals("maxRequestsPerHost must be in [0, 100000], was -1", message(() -> LbConfig.builder().maxRequestsPerHost(-1).build()));
    assertEquals("stickySecret must have at least 16 bytes, was 3", message(() -> LbConfig.builder().stickySecret(new byte[3]).build()));
    assertEquals("rate limit for unknown cluster b, known: [a]", message(() -> LbConfig.builder().cluster("a", ctx -> null)
        .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1, Duration.ofSeconds(1)).cluster("b").build()).build()));
    assertEquals("sticky policy for unknown cluster b, known: [a]",
        message(() -> LbConfig.builder().cluster("a", ctx -> null).sticky("b", StickyPolicy.hashHeader("X")).build()));
    assertEquals("cookieName must be a non-empty token, was 'a b'", message(() -> StickyPolicy.balancerCookie("a b")));
    assertEquals("maxSessions must be in [1, 100000000], was 0", message(() -> StickyPolicy.applicationCookie("J", 0, Duration.ofMinutes(1))));
  }

  @Test
  void clusterNamesThatNoRequestHostCanBeAreRejectedWithExactMessages() {
    String longLabel = "a".repeat(64);
    // 4 labels of 63 and 3 dots: 255 characters, over the 253 of a DNS name.
    String longName = String.join(".", List.of("a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(63)));
    for (String bad : List.of("users service/x", "users:8080", "users/x", "http://users", "users?x", "a..b", ".users",
        "users..", "b\u00fccher.example", "users*", "[::1", "fe80::1%eth0", "1:2:3:4:5:6:7:8:9",
        longLabel, longName)) {
      assertEquals("cluster host must be a DNS name, was '" + bad + "'",
          message(() -> LbConfig.builder().cluster(bad, ctx -> null).build()), bad);
    }
    for (String address : List.of("10.0.0.1", "::1", "[2001:db8::1]", "[10.0.0.1]")) {
      assertEquals("cluster host must be a DNS name, not an IP address (OkHttp connects to an address directly"
          + " and never asks lbkit to balance it), was '" + address + "'",
          message(() -> LbConfig.builder().cluster(address, ctx -> null).build()), address);
    }
    assertEquals("cluster host must not be empty, was null", message(() -> LbConfig.builder().cluster(null, ctx -> null).build()));
    assertEquals("cluster host must not be empty, was ' '", message(() -> LbConfig.builder().cluster(" ", ctx -> null).build()));
  }

  @Test
  void clusterNamesAreDnsNamesKeyedAsTheRequestUrlSpellsTheHost() {
    String label63 = "a".repeat(63);
    String name253 = String.join(".", List.of(label63, label63, label63, "d".repeat(61)));
    List<String> names = List.of("user-service", "User_Service.Internal", "users.", label63, name253, "999.1.1.1");
    LbConfig.Builder b = LbConfig.builder();
    for (String name : names) {
      b.cluster(name, ctx -> null);
    }
    LbConfig config = b.build();
    assertEquals(Set.copyOf(names), config.clusters().keySet(), "spelled as given");
    for (String name : names) {
      // A request naming the cluster in any case finds it by its URL's host.
      assertTrue(config.clusters().containsKey(HttpUrl.get("http://" + name.toUpperCase(java.util.Locale.ROOT) + "/").host()), name);
      assertEquals(HttpUrl.get("http://" + name + "/").host(), LbConfig.clusterKey(name), name);
    }
    assertEquals("cluster USERS is defined twice",
        message(() -> LbConfig.builder().cluster("users", ctx -> null).cluster("USERS", ctx -> null).build()));
  }

  @Test
  void stickyPoliciesRulesAndRateLimitsNameAClusterInAnyCase() {
    LbConfig config = LbConfig.builder().cluster("Users", Backends.roundRobin("a", List.of(Server.of("127.0.0.1", 1))))
        .sticky("USERS", StickyPolicy.hashHeader("X"))
        .rule(RouteRule.builder().pathPrefix("/").toCluster("users").build())
        .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1, Duration.ofSeconds(1)).cluster("uSers").build())
        .build();
    assertEquals(Set.of("Users"), config.clusters().keySet());
    FakeTicker ticker = new FakeTicker();
    assertTrue(new RateLimitGate(config.rateLimits.get(0), ticker, ticker::advanceNanos, Runnable::run).appliesTo("users"));
  }

  @Test
  void clusterNamesAreMatchedAgainstTheRequestHostInAnyCase() throws IOException {
    try (Backends backends = Backends.start(1)) {
      OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().strict(true)
          .cluster("User-Service.Internal", Backends.roundRobin("u", backends.all())).build());
      assertEquals("200 0", BalancingTest.get(client, "http://USER-service.internal/"));
      assertEquals("200 0", BalancingTest.get(client, "http://user-service.internal/"));
    }
  }

  @Test
  void retryPolicyIsValidatedWithExactMessages() {
    assertEquals("maxAttempts must be in [1, 10], was 0", message(() -> RetryPolicy.builder().maxAttempts(0).build()));
    assertEquals("retryableStatuses must be in [500, 599], was 404", message(() -> RetryPolicy.builder().retryableStatuses(Set.of(404)).build()));
    assertEquals("jitter must be in [0, 1), was 1.0", message(() -> RetryPolicy.builder().jitter(1.0).build()));
    assertEquals("maxBackoff must be >= initialBackoff PT1S, was PT0.5S",
        message(() -> RetryPolicy.builder().backoff(Duration.ofSeconds(1), Duration.ofMillis(500), 2).build()));
    assertEquals("budgetWindow must be in [PT1S, PT1M], was PT0.5S",
        message(() -> RetryPolicy.builder().budget(20, 10, Duration.ofMillis(500)).build()));
  }

  @Test
  void backoffGrowsExponentiallyWithinItsJitterAndCap() {
    RetryPolicy p = RetryPolicy.DEFAULT;
    RandomSource random = RandomSource.seeded(11);
    for (int i = 0; i < 200; i++) {
      long first = p.backoffNanos(1, random);
      assertTrue(first >= 12_500_000L && first < 37_500_000L, "first backoff " + first);
      long second = p.backoffNanos(2, random);
      assertTrue(second >= 25_000_000L && second < 75_000_000L, "second backoff " + second);
      long late = p.backoffNanos(9, random);
      assertTrue(late >= 125_000_000L && late <= 250_000_000L, "capped backoff " + late);
    }
    RetryPolicy exact = RetryPolicy.builder().jitter(0).build();
    assertEquals(List.of(25_000_000L, 50_000_000L, 100_000_000L, 200_000_000L, 250_000_000L),
        List.of(exact.backoffNanos(1, random), exact.backoffNanos(2, random), exact.backoffNanos(3, random),
            exact.backoffNanos(4, random), exact.backoffNanos(5, random)));
    // The jitter comes from the client's random source: a seed repeats the waits.
    assertEquals(p.backoffNanos(1, RandomSource.seeded(3)), p.backoffNanos(1, RandomSource.seeded(3)));
    assertEquals(0, RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1).build().backoffNanos(3, random));
  }

  @Test
  void retryBudgetAllowsThirtyPercentPlusTenPerSecond() {
    FakeTicker ticker = new FakeTicker();
    RetryBudget budget = RetryPolicy.DEFAULT.newBudget(ticker);
    for (int i = 0; i < 100; i++) {
      budget.onRequest();
    }
    int allowed = 0;
    while (budget.tryRetry() && allowed < 1000) {
      allowed++;
    }
    // 30% of 100 requests plus a reserve of 10/s over the 10 s window.
    assertEquals(30 + 100, allowed);
    // Deposits and withdrawals expire with the window.
    ticker.advance(Duration.ofSeconds(11));
    int again = 0;
    while (budget.tryRetry() && again < 1000) {
      again++;
    }
    assertEquals(100, again);
  }

  @Test
  void wrappingTwiceIsRefused() {
    OkHttpClient once = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .cluster("a", Backends.roundRobin("a", List.of(Server.of("127.0.0.1", 1)))).build());
    assertTrue(message(() -> LbOkHttp.wrap(once, LbConfig.builder().build())).startsWith("base client is already wrapped by LbOkHttp"));
    assertEquals("client was not built by LbOkHttp.wrap", message(() -> LbOkHttp.counters(new OkHttpClient())));
  }
}
