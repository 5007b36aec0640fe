package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.algorithms.LoadBalancerBuilder;
import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.health.ActiveHealthCheck;
import dev.lbkit.health.HealthChecks;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.testing.FakeScheduler;
import dev.lbkit.testing.FakeTicker;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import mockwebserver3.MockResponse;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * lb-health mechanisms attached to a cluster's LoadBalancer, observed through the wrapped OkHttp
 * client: passive outlier detection fed by the calls' outcomes, active HTTP checks, and the
 * outage behaviour of both panic modes. Health timers run on a fake scheduler in virtual time.
 */
class HealthTest {
  private Backends backends;
  private LoadBalancer lb;
  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);

  @AfterEach
  void close() throws IOException {
    if (lb != null) {
      lb.close();
    }
    if (backends != null) {
      backends.close();
    }
  }

  private static OkHttpClient wrap(LoadBalancer lb, RetryPolicy policy) {
    return LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().retryPolicy(policy).cluster("user-service", lb).build());
  }

  private static RetryPolicy noBackoff() {
    return RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1).build();
  }

  private HealthState health(Server server) {
    for (ServerView v : lb.servers()) {
      if (v.server().id().equals(server.id())) {
        return v.health();
      }
    }
    throw new AssertionError("no view of " + server.id());
  }

  /** Waits, at most 10 s, for what asynchronous checks decide. */
  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }

  /**
   * Waits until the published picker does (or does not) offer {@code server}: a view changes
   * just before the control plane rebuilds the picker, so a view alone does not prove it.
   * Round robin over at most three servers offers each within three picks.
   */
  private void awaitPickerOffers(Server server, boolean offered) {
    await(() -> {
      boolean seen = false;
      for (int i = 0; i < 3; i++) {
        Selection s = lb.pick(PickContext.EMPTY);
        seen |= s.server().id().equals(server.id());
        s.complete(0, Outcome.CANCELLED);
      }
      return seen == offered;
    }, "the picker " + (offered ? "offering " : "avoiding ") + server.id());
  }

  @Test
  void outlierDetectionEjectsABackendAfterExactlyThreeConsecutive5xxSeenThroughTheClient() throws IOException {
    backends = Backends.start(3);
    backends.dispatcher(0).always = new MockResponse.Builder().code(503).build();
    HealthInput outliers = OutlierDetection.builder().consecutiveFailures(3).failurePercentageEnabled(false)
        .baseEjectionTime(Duration.ofSeconds(10)).scheduler(scheduler).build();
    lb = LoadBalancer.builder("user-service").algorithm(Algorithms.roundRobin()).servers(backends.all())
        .healthInput(outliers).ticker(ticker).build();
    // One attempt per call, so every 503 reaches the caller and counts once.
    OkHttpClient client = wrap(lb, RetryPolicy.NONE);
    Server bad = backends.server(0);
    int served503 = 0;
    for (int i = 0; i < 9; i++) {
      String answer = BalancingTest.get(client, "http://user-service/");
      if (answer.startsWith("503")) {
        served503++;
        assertEquals(served503 >= 3, health(bad).ejected(), "after " + served503 + " consecutive 503s");
      }
    }
    assertEquals(3, served503);
    assertEquals(3, backends.dispatcher(0).count.get());
    assertEquals(HealthState.Status.EJECTED, health(bad).status());
    assertFalse(health(bad).pickable());
    // Later calls avoid it: every one is answered by the two others.
    for (int i = 0; i < 20; i++) {
      assertTrue(BalancingTest.get(client, "http://user-service/").startsWith("200 "));
    }
    assertEquals(3, backends.dispatcher(0).count.get());
    // Re-admitted when its ejection time has passed (now answering 200).
    backends.dispatcher(0).always = null;
    scheduler.advance(Duration.ofSeconds(10));
    assertTrue(health(bad).pickable(), health(bad).toString());
    for (int i = 0; i < 3; i++) {
      BalancingTest.get(client, "http://user-service/");
    }
    assertEquals(4, backends.dispatcher(0).count.get());
  }

  @Test
  void activeHttpCheckMarksABackendUnhealthyAndCallsAvoidIt() throws IOException {
    backends = Backends.start(3);
    backends.dispatcher(1).paths.put("/health", new MockResponse.Builder().code(503).build());
    HealthInput checks = ActiveHealthCheck.builder(HealthChecks.http().build()).interval(Duration.ofSeconds(5))
        .timeout(Duration.ofSeconds(1)).jitter(Duration.ZERO).rise(1).fall(1).scheduler(scheduler).build();
    lb = LoadBalancer.builder("user-service").algorithm(Algorithms.roundRobin()).servers(backends.all())
        .healthInput(checks).ticker(ticker).build();
    OkHttpClient client = wrap(lb, RetryPolicy.NONE);
    Server sick = backends.server(1);
    scheduler.runDue();
    await(() -> health(sick).status() == HealthState.Status.UNHEALTHY
        && health(backends.server(0)).active() == ActiveHealth.HEALTHY
        && health(backends.server(2)).active() == ActiveHealth.HEALTHY, "the first round of checks");
    assertEquals("unhealthy: GET /health returned 503, expected 200-299 (1 failure)", health(sick).reason());
    awaitPickerOffers(sick, false);
    for (int i = 0; i < 30; i++) {
      assertTrue(BalancingTest.get(client, "http://user-service/").startsWith("200 "));
    }
    assertEquals(0, backends.dispatcher(1).countExcept("/health"), "no call reached the unhealthy backend");
    assertEquals(15, backends.dispatcher(0).countExcept("/health"));
    assertEquals(15, backends.dispatcher(2).countExcept("/health"));
    // It recovers: the next check passes and calls reach it again.
    backends.dispatcher(1).paths.clear();
    scheduler.advance(Duration.ofSeconds(5));
    await(() -> health(sick).active() == ActiveHealth.HEALTHY, "the recovery check");
    awaitPickerOffers(sick, true);
    for (int i = 0; i < 3; i++) {
      BalancingTest.get(client, "http://user-service/");
    }
    assertEquals(1, backends.dispatcher(1).countExcept("/health"));
  }

  /** Every server down and found down by a TCP check: three refusing ports. */
  private LoadBalancerBuilder outage() throws IOException {
    backends = Backends.start(0);
    List<Server> dead = List.of(Backends.refusing(), Backends.refusing(), Backends.refusing());
    HealthInput checks = ActiveHealthCheck.builder(HealthChecks.tcp()).interval(Duration.ofSeconds(5))
        .timeout(Duration.ofSeconds(1)).jitter(Duration.ZERO).rise(1).fall(1).scheduler(scheduler).build();
    return LoadBalancer.builder("user-service").algorithm(Algorithms.roundRobin()).servers(dead)
        .healthInput(checks).ticker(ticker);
  }

  private OkHttpClient outageClient(List<Server> attempts) {
    return LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().retryPolicy(noBackoff())
        .listener(new LbEventListener() {
          @Override
          public void attemptStarted(Call call, String cluster, Server server, int attempt) {
            attempts.add(server);
          }
        })
        .cluster("user-service", lb).build());
  }

  private void awaitAllUnhealthy() {
    scheduler.runDue();
    // The views change first; the new snapshot (in panic) is published by the same control-plane task.
    await(() -> lb.inPanic() && lb.servers().stream().allMatch(v -> v.health().status() == HealthState.Status.UNHEALTHY),
        "every server unhealthy, and panic");
  }

  @Test
  void outageInFailFastModeFailsAtOnceWithTheExplainedException() throws Exception {
    List<Server> attempts = new CopyOnWriteArrayList<>();
    lb = outage().panicMode(LoadBalancer.PanicMode.FAIL_FAST).build();
    OkHttpClient client = outageClient(attempts);
    awaitAllUnhealthy();
    LbException e = assertThrows(LbException.class, () -> BalancingTest.get(client, "http://user-service/"));
    assertEquals(LbException.Reason.NO_SERVER, e.reason());
    assertEquals("user-service", e.cluster());
    assertEquals("user-service: 0 of 3 servers pickable (3 unhealthy); panic: 0 of 3 servers pickable,"
        + " below the 50% panic threshold; fail-fast mode", e.getMessage());
    assertEquals(List.of(), attempts, "no server was tried");
    // Async callers get the same IOException in onFailure, never a hang.
    CompletableFuture<IOException> failure = new CompletableFuture<>();
    client.newCall(new Request.Builder().url("http://user-service/").build()).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException ex) {
        failure.complete(ex);
      }

      @Override
      public void onResponse(Call call, Response response) {
        response.close();
        failure.complete(null);
      }
    });
    assertEquals(e.getMessage(), assertInstanceOf(LbException.class, failure.get(10, TimeUnit.SECONDS)).getMessage());
  }

  @Test
  void outageInSpreadModeGivesConnectionErrorsThatNameTheCluster() throws Exception {
    List<Server> attempts = new CopyOnWriteArrayList<>();
    lb = outage().panicMode(LoadBalancer.PanicMode.SPREAD).build();
    OkHttpClient client = outageClient(attempts);
    awaitAllUnhealthy();
    ConnectException e = assertThrows(ConnectException.class, () -> BalancingTest.get(client, "http://user-service/"));
    // Panic spreads over the unhealthy servers; each attempt is refused, and retries try the others.
    assertEquals(3, attempts.size());
    assertEquals(3, new java.util.HashSet<>(attempts).size(), "never the same server twice: " + attempts);
    ConnectException cause = assertInstanceOf(ConnectException.class, e.getCause());
    assertEquals("user-service: could not connect to " + attempts.get(2).id() + " (servers tried: "
        + attempts.get(0).id() + ", " + attempts.get(1).id() + ", " + attempts.get(2).id() + "): " + cause.getMessage(),
        e.getMessage());
    assertSame(ConnectException.class, e.getClass());
  }
}
