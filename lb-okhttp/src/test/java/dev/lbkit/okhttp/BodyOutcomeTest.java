package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.testing.FakeScheduler;
import dev.lbkit.testing.FakeTicker;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import mockwebserver3.MockResponse;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a call whose headers arrived ends when its body does not: the call's own deadline firing
 * during the body read is the server's fault ({@link Outcome#TIMEOUT}); the caller's own {@code
 * cancel()} is not ({@link Outcome#CANCELLED}). Outcomes are observed on the balancer's server
 * views, which is what outlier detection and latency-aware algorithms learn from.
 */
class BodyOutcomeTest {
  /** Sent a byte every 100 ms: 10 s in all, far past any call timeout below. */
  private static final String SLOW_BODY = "x".repeat(100);

  private Backends backends;
  private LoadBalancer lb;
  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);

  @BeforeEach
  void start() throws IOException {
    backends = Backends.start(2);
    for (int i = 0; i < 2; i++) {
      backends.dispatcher(i).always = new MockResponse.Builder().code(200).addHeader("X-Backend", i)
          .body(SLOW_BODY).throttleBody(1, 100, TimeUnit.MILLISECONDS).build();
    }
  }

  @AfterEach
  void close() throws IOException {
    if (lb != null) {
      lb.close();
    }
    backends.close();
  }

  private OkHttpClient client(Duration callTimeout) {
    return LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().retryPolicy(RetryPolicy.NONE).callTimeout(callTimeout)
        .cluster("user-service", lb).build());
  }

  private ServerView view(Server server) {
    for (ServerView v : lb.servers()) {
      if (v.server().id().equals(server.id())) {
        return v;
      }
    }
    throw new AssertionError("no view of " + server.id());
  }

  private Server backendOf(Response response) {
    return backends.server(Integer.parseInt(response.header("X-Backend")));
  }

  /** Waits, at most 10 s, for what the control plane decides. */
  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }

  @Test
  void bodyStalledPastTheCallTimeoutIsATimeoutAndEjectsTheServer() throws IOException {
    HealthInput outliers = OutlierDetection.builder().consecutiveFailures(1).failurePercentageEnabled(false)
        .baseEjectionTime(Duration.ofSeconds(10)).scheduler(scheduler).build();
    lb = LoadBalancer.builder("user-service").algorithm(Algorithms.roundRobin()).servers(backends.all())
        .healthInput(outliers).ticker(ticker).build();
    OkHttpClient client = client(Duration.ofMillis(700));
    Server slow;
    try (Response r = client.newCall(new Request.Builder().url("http://user-service/").build()).execute()) {
      assertEquals(200, r.code());
      slow = backendOf(r);
      InterruptedIOException e = assertThrows(InterruptedIOException.class, () -> r.body().string());
      assertTrue(Set.of("timeout", "Read timed out").contains(e.getMessage()), "the call timer or the capped read timeout: " + e);
    }
    assertEquals(Outcome.TIMEOUT, view(slow).lastOutcome());
    assertEquals(1, view(slow).consecutiveFailures());
    await(() -> view(slow).health().ejected(), "the timed-out server's ejection");
  }

  @Test
  void callersOwnCancelMidBodyIsCancelledAndRecordsNoLatencySample() throws IOException {
    lb = LoadBalancer.builder("user-service").servers(backends.all()).trackLatency(true).build();
    OkHttpClient client = client(Duration.ofSeconds(30));
    Call call = client.newCall(new Request.Builder().url("http://user-service/").build());
    Server server;
    try (Response r = call.execute()) {
      assertEquals(200, r.code());
      server = backendOf(r);
      BufferedSource body = r.body().source();
      assertEquals('x', body.readByte());
      call.cancel();
      IOException e = assertThrows(IOException.class, body::readUtf8);
      assertFalse(e instanceof InterruptedIOException, "not reported as a timeout: " + e);
    }
    ServerView v = view(server);
    assertEquals(Outcome.CANCELLED, v.lastOutcome());
    assertEquals(0, v.consecutiveFailures());
    assertEquals(0, v.latencyEwmaNanos(), "a cancelled call samples no latency: " + v);
    assertEquals(0, v.inFlight());
  }

  @Test
  void cancelledCallRecordsNoLatencySampleButACompletedOneDoes() throws Exception {
    backends.dispatcher(0).always = new MockResponse.Builder().code(200).addHeader("X-Backend", 0)
        .headersDelay(10, TimeUnit.SECONDS).build();
    backends.dispatcher(1).always = backends.dispatcher(0).always;
    lb = LoadBalancer.builder("user-service").servers(backends.all()).trackLatency(true).build();
    OkHttpClient client = client(Duration.ofSeconds(30));
    Call call = client.newCall(new Request.Builder().url("http://user-service/").build());
    Thread canceller = new Thread(() -> {
      // Cancel once the request has reached a backend (bounded wait).
      await(() -> backends.dispatcher(0).count.get() + backends.dispatcher(1).count.get() > 0, "the request");
      call.cancel();
    });
    canceller.start();
    assertThrows(IOException.class, () -> call.execute().close());
    canceller.join(10_000);
    assertTrue(call.isCanceled());
    for (ServerView v : lb.servers()) {
      assertEquals(0, v.latencyEwmaNanos(), "a cancelled call samples no latency: " + v);
      assertEquals(0, v.consecutiveFailures(), v.toString());
      assertEquals(0, v.inFlight(), v.toString());
    }
    // A completed call is sampled, so the zeros above are not for want of a sampling algorithm.
    backends.dispatcher(0).always = null;
    backends.dispatcher(1).always = null;
    BalancingTest.get(client, "http://user-service/");
    long sampled = lb.servers().stream().filter(v -> v.latencyEwmaNanos() > 0).count();
    assertEquals(1, sampled, lb.servers().toString());
  }
}
