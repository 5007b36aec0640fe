package dev.lbkit.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.health.ActiveHealthCheck;
import dev.lbkit.health.CircuitBreakers;
import dev.lbkit.health.HealthChecks;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.RetryPolicy;
import dev.lbkit.testing.FakeScheduler;
import dev.lbkit.testing.FakeTicker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import mockwebserver3.MockResponse;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Active-check results, breaker states and breaker ejections, from real checks and calls. */
class HealthMetersTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private FakeBackends backends;
  private LoadBalancer lb;

  @AfterEach
  void close() throws IOException {
    if (lb != null) {
      lb.close();
    }
    if (backends != null) {
      backends.close();
    }
  }

  /** Waits, at most 10 s, for a condition that a health thread makes true. */
  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }

  private double counter(String name, String... tags) {
    io.micrometer.core.instrument.Counter c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  @Test
  void activeCheckResultsAreCountedByResult() throws IOException {
    backends = FakeBackends.start(2, "127.0.0.1");
    backends.dispatchers.get(1).always = new MockResponse.Builder().code(503).build();
    lb = LoadBalancer.builder("checked").servers(backends.all()).ticker(ticker)
        .healthInput(ActiveHealthCheck.builder(HealthChecks.http().build()).interval(Duration.ofSeconds(5))
            .timeout(Duration.ofSeconds(1)).jitter(Duration.ZERO).rise(1).fall(1).scheduler(scheduler).build())
        .build();
    LbMetrics.bind(lb, registry);
    scheduler.runDue();
    await(() -> counter("lbkit.lb.active.checks", "cluster", "checked", "result", "passed") == 1
        && counter("lbkit.lb.active.checks", "cluster", "checked", "result", "failed") == 1, "the first round");
    await(() -> gauge("lbkit.lb.servers", "cluster", "checked", "state", "unhealthy") == 1, "the unhealthy gauge");
    scheduler.advance(Duration.ofSeconds(5));
    await(() -> counter("lbkit.lb.active.checks", "cluster", "checked", "result", "passed") == 2
        && counter("lbkit.lb.active.checks", "cluster", "checked", "result", "failed") == 2, "the second round");
    assertEquals(1, gauge("lbkit.lb.servers", "cluster", "checked", "state", "pickable"));
  }

  @Test
  void anOpenBreakerIsAnEjectionForTheBreakerAndShowsInTheBreakerGauge() throws IOException {
    backends = FakeBackends.start(2, "127.0.0.1");
    backends.dispatchers.get(1).always = new MockResponse.Builder().code(500).build();
    lb = LoadBalancer.builder("guarded").algorithm(Algorithms.roundRobin()).servers(backends.all()).ticker(ticker)
        .maxEjectionPercent(50)
        .healthInput(CircuitBreakers.builder().slidingWindowSize(4).minimumNumberOfCalls(4)
            .waitDurationInOpenState(Duration.ofSeconds(30)).scheduler(scheduler).build())
        .build();
    LbMetrics metrics = LbMetrics.of(registry);
    metrics.bind(lb);
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().listener(metrics.listener())
        .retryPolicy(RetryPolicy.NONE).cluster("guarded", lb).build());
    String bad = backends.server(1).id();
    String good = backends.server(0).id();
    assertEquals(1, gauge("lbkit.lb.breaker.state", "cluster", "guarded", "server", bad, "state", "closed"));
    for (int i = 0; i < 8; i++) {
      try (Response r = client.newCall(new Request.Builder().url("http://guarded/").build()).execute()) {
        r.body().string();
      }
    }
    await(() -> gauge("lbkit.lb.breaker.state", "cluster", "guarded", "server", bad, "state", "open") == 1,
        "the bad server's breaker to open");
    assertEquals(0, gauge("lbkit.lb.breaker.state", "cluster", "guarded", "server", bad, "state", "closed"));
    assertEquals(1, gauge("lbkit.lb.breaker.state", "cluster", "guarded", "server", good, "state", "closed"));
    assertEquals(1, counter("lbkit.lb.ejections", "cluster", "guarded", "reason", "circuit_breaker"));
    assertEquals(1, gauge("lbkit.lb.servers", "cluster", "guarded", "state", "ejected"));
  }
}
