package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retry policy, call timeout and attempt timeouts per cluster and per routing rule, with the
 * config's own values as the default: a rule's policy wins over its cluster's, a cluster's over
 * the config's, field by field.
 */
class CallPolicyTest {
  private Backends backends;

  @AfterEach
  void close() throws IOException {
    if (backends != null) {
      backends.close();
    }
  }

  private static int attempts(OkHttpClient client, String cluster) {
    return (int) LbOkHttp.counters(client).get(cluster).attempts();
  }

  private static Response call(OkHttpClient client, String url) throws IOException {
    return client.newCall(new Request.Builder().url(url).build()).execute();
  }

  @Test
  void aClusterPolicyReplacesTheRetryPolicyOfThatClusterOnly() throws IOException {
    backends = Backends.start(2);
    backends.dispatcher(0).always = new MockResponse.Builder().code(503).build();
    backends.dispatcher(1).always = new MockResponse.Builder().code(503).build();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .retryPolicy(RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1).build())
        .cluster("payments", Backends.roundRobin("payments", backends.all()))
        .cluster("users", Backends.roundRobin("users", backends.all()))
        .callPolicy("payments", CallPolicy.builder().retryPolicy(RetryPolicy.NONE).build())
        .build());
    call(client, "http://payments/").close();
    call(client, "http://users/").close();
    assertEquals(1, attempts(client, "payments"), "no retry for payments");
    assertEquals(2, attempts(client, "users"), "the config's policy: a retry on the other server");
  }

  @Test
  void aRulePolicyWinsOverItsClustersForTheRequestsItMatches() throws IOException {
    backends = Backends.start(2);
    backends.dispatcher(0).always = new MockResponse.Builder().code(503).build();
    backends.dispatcher(1).always = new MockResponse.Builder().code(503).build();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .retryPolicy(RetryPolicy.NONE)
        .cluster("users", Backends.roundRobin("users", backends.all()))
        .rule(RouteRule.builder().host("users").pathPrefix("/search/").toCluster("users")
            .callPolicy(CallPolicy.builder().retryPolicy(RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1)
                .build()).build())
            .build())
        .build());
    call(client, "http://users/profile").close();
    assertEquals(1, attempts(client, "users"));
    call(client, "http://users/search/q").close();
    assertEquals(3, attempts(client, "users"), "the rule's policy retried /search/ once");
  }

  @Test
  void aRouteMayHaveALongerCallTimeoutThanTheClient() throws IOException {
    backends = Backends.start(1);
    backends.dispatcher(0).always = new MockResponse.Builder().headersDelay(700, TimeUnit.MILLISECONDS).body("slow").build();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .callTimeout(Duration.ofMillis(300))
        .retryPolicy(RetryPolicy.NONE)
        .cluster("reports", Backends.roundRobin("reports", backends.all()))
        .rule(RouteRule.builder().host("reports").pathPrefix("/export/").toCluster("reports")
            .callPolicy(CallPolicy.builder().callTimeout(Duration.ofSeconds(5)).build()).build())
        .build());
    try (Response r = call(client, "http://reports/export/all")) {
      assertEquals("slow", r.body().string(), "the rule's 5 s call timeout");
    }
    // The config's 300 ms ends the call before the backend's 700 ms: through OkHttp's call timer
    // ("timeout") or through the attempt's read timeout, which lbkit caps at the time left
    // ("Read timed out"), whichever fires first on a loaded machine.
    InterruptedIOException e = assertThrows(InterruptedIOException.class, () -> call(client, "http://reports/daily").close());
    assertTrue(Set.of("timeout", "Read timed out").contains(e.getMessage()), "the config's 300 ms: " + e);
  }

  @Test
  void aClusterMayHaveAShorterCallTimeoutThanTheClient() throws IOException {
    backends = Backends.start(1);
    backends.dispatcher(0).always = new MockResponse.Builder().headersDelay(2, TimeUnit.SECONDS).build();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .retryPolicy(RetryPolicy.NONE)
        .cluster("users", Backends.roundRobin("users", backends.all()))
        .callPolicy("users", CallPolicy.builder().callTimeout(Duration.ofMillis(200)).build())
        .build());
    long start = System.nanoTime();
    InterruptedIOException e = assertThrows(InterruptedIOException.class, () -> call(client, "http://users/").close());
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(Set.of("timeout", "Read timed out").contains(e.getMessage()), "the call timer or the capped read timeout: " + e);
    assertTrue(tookMillis < 1_500, "the cluster's 200 ms, not the backend's 2 s: " + tookMillis + " ms");
  }

  @Test
  void aTimeoutSetOnTheCallItselfWinsOverTheRoutes() throws IOException {
    backends = Backends.start(1);
    backends.dispatcher(0).always = new MockResponse.Builder().headersDelay(700, TimeUnit.MILLISECONDS).build();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .retryPolicy(RetryPolicy.NONE)
        .cluster("users", Backends.roundRobin("users", backends.all()))
        .callPolicy("users", CallPolicy.builder().callTimeout(Duration.ofSeconds(5)).build())
        .build());
    Call call = client.newCall(new Request.Builder().url("http://users/").build());
    call.timeout().timeout(200, TimeUnit.MILLISECONDS);
    String m = assertThrows(InterruptedIOException.class, () -> call.execute().close()).getMessage();
    assertTrue(Set.of("timeout", "Read timed out").contains(m), "the call's own 200 ms: " + m);
  }

  @Test
  void aClusterPolicyMaySetAttemptTimeouts() throws IOException {
    backends = Backends.start(1);
    backends.dispatcher(0).always = new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS).build();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .retryPolicy(RetryPolicy.NONE)
        .cluster("users", Backends.roundRobin("users", backends.all()))
        .callPolicy("users", CallPolicy.builder().attemptTimeouts(null, Duration.ofMillis(100), null).build())
        .build());
    assertThrows(SocketTimeoutException.class, () -> call(client, "http://users/").close());
  }

  @Test
  void policiesAreValidatedWithExactMessages() {
    assertEquals("callTimeout must be in (0, PT24H], was PT0S", assertThrows(IllegalArgumentException.class,
        () -> CallPolicy.builder().callTimeout(Duration.ZERO).build()).getMessage());
    assertEquals("readTimeout must be in (0, PT24H], was PT-1S", assertThrows(IllegalArgumentException.class,
        () -> CallPolicy.builder().attemptTimeouts(null, Duration.ofSeconds(-1), null).build()).getMessage());
    assertEquals("call policy for unknown cluster b, known: [a]", assertThrows(IllegalArgumentException.class,
        () -> LbConfig.builder().cluster("a", ctx -> null).callPolicy("b", CallPolicy.builder().build()).build())
        .getMessage());
    assertEquals("CallPolicy{retryPolicy=inherited, callTimeout=PT2S, connectTimeout=inherited,"
        + " readTimeout=inherited, writeTimeout=inherited}",
        CallPolicy.builder().callTimeout(Duration.ofSeconds(2)).build().toString());
  }
}
