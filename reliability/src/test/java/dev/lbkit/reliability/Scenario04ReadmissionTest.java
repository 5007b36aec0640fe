package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.health.CircuitBreakers;
import dev.lbkit.health.SlowStart;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.RetryPolicy;
import dev.lbkit.testing.FakeScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Row 4: re-admission after ejection. A backend fails until its circuit breaker opens (ejected);
 * after the open-state wait (virtual time) the breaker is half-open, and 8 concurrent callers
 * hammer the cluster while the recovered backend answers slowly (300 ms): the backend itself
 * counts at most one request at a time, so exactly one probe is in flight. Once the probes close
 * the breaker, the backend's share of a smooth weighted round robin follows slow start's linear
 * ramp (10% minimum weight, 30 s window), sampled every 3 virtual seconds.
 */
class Scenario04ReadmissionTest {
  private static final int PROBES = 4;
  private static final Duration WINDOW = Duration.ofSeconds(30);
  private static final int SAMPLE = 100;
  /** Share tolerance: a 100-pick sample of smooth WRR is exact to a pick or two per server. */
  private static final double TOLERANCE = 0.03;

  @Test
  void oneProbeAtATimeThenTheSlowStartCurve() throws IOException, InterruptedException {
    FakeScheduler scheduler = new FakeScheduler();
    try (Fleet fleet = Fleet.start(Fleet.Protocol2.HTTP_1_1, 5);
        LoadBalancer lb = LoadBalancer.builder("users").servers(fleet.direct()).ticker(scheduler.ticker())
            .algorithm(Algorithms.smoothWeightedRoundRobin())
            .healthInput(CircuitBreakers.builder().slidingWindowSize(10).minimumNumberOfCalls(5)
                .waitDurationInOpenState(Duration.ofSeconds(10)).halfOpenProbes(PROBES).scheduler(scheduler).build())
            .healthInput(SlowStart.builder().window(WINDOW).scheduler(scheduler).build())
            .build()) {
      OkHttpClient client = LbOkHttp.wrap(fleet.baseClient().build(), LbConfig.builder().cluster("users", lb)
          .retryPolicy(RetryPolicy.NONE).ticker(scheduler.ticker()).build());
      CountingBackend bad = fleet.backend(0).status(500);
      Server badServer = fleet.direct().get(0);
      try {
        for (int i = 0; i < 200 && !Scenario03OutlierEjectionTest.view(lb, badServer).health().ejected(); i++) {
          Load.execute(client, Load.get("http://users/", "s4-open-" + i));
        }
        assertTrue(Scenario03OutlierEjectionTest.view(lb, badServer).health().ejected(), "the breaker opened");

        // Half-open: the backend has recovered but is slow, so a probe stays in flight 300 ms.
        bad.status(200).delay(Duration.ofMillis(300));
        scheduler.advance(Duration.ofSeconds(10));
        assertEquals("half-open", Scenario03OutlierEjectionTest.view(lb, badServer).details().get("breaker"));
        long rampStart = scheduler.ticker().nanoTime();
        bad.resetMaxInFlight();
        int before = bad.requests();
        // Stop before the last probe can close the breaker: after that, concurrency is allowed.
        List<CallResult> hammer = Load.executeUntil(client, 8, 20_000, i -> Load.get("http://users/", "s4-probe-" + i),
            () -> bad.requests() - before >= PROBES - 1, Duration.ofSeconds(60));
        int probes = bad.requests() - before;
        int maxInFlight = bad.maxInFlight();
        assertTrue(hammer.stream().allMatch(CallResult::ok), Load.summary(hammer));
        for (int i = 0; i < 50 && !"closed".equals(
            Scenario03OutlierEjectionTest.view(lb, badServer).details().get("breaker")); i++) {
          Load.execute(client, Load.get("http://users/", "s4-close-" + i));
        }
        assertEquals("closed", Scenario03OutlierEjectionTest.view(lb, badServer).details().get("breaker"));
        bad.delay(Duration.ZERO);

        // The ramp: sample the share every 3 s; the step (1 s) may lag the clock by up to a step.
        List<String> samples = new ArrayList<>();
        double worst = 0;
        for (int t = 3; t <= 33; t += 3) {
          scheduler.advance(Duration.ofNanos(rampStart + TimeUnit.SECONDS.toNanos(t) - scheduler.ticker().nanoTime()));
          int b0 = bad.requests();
          for (int i = 0; i < SAMPLE; i++) {
            Load.execute(client, Load.get("http://users/", "s4-ramp-" + t + "-" + i));
          }
          double share = (double) (bad.requests() - b0) / SAMPLE;
          double lo = expectedShare(t - 1);
          double hi = expectedShare(t);
          double off = share < lo ? lo - share : share > hi ? share - hi : 0;
          worst = Math.max(worst, off);
          samples.add(String.format("%ds %.2f", t, share));
        }
        boolean pass = maxInFlight == 1 && worst <= TOLERANCE;
        ScenarioTable.record("4", "Re-admission after ejection: circuit breaker half-open (" + PROBES
                + " probes), 8 callers; then slow start (30 s, linear, 10% minimum), smooth WRR over 5",
            "exactly one probe in flight; share within 3 points of the slow-start curve m/(4+m), m = max(0.1, t/30 s)",
            "max in flight at the backend during half-open: " + maxInFlight + " (" + probes + " probes, "
                + hammer.size() + " calls); shares " + samples + ", worst " + String.format("%.3f", worst) + " off",
            pass);
        assertEquals(1, maxInFlight, "probes in flight at once");
        assertTrue(worst <= TOLERANCE, "shares " + samples);
      } finally {
        Load.close(client);
      }
    }
  }

  /** The backend's share of 5 when its multiplier is slow start's at {@code seconds} into the ramp. */
  private static double expectedShare(int seconds) {
    double m = Math.min(1.0, Math.max(0.1, seconds / (double) WINDOW.toSeconds()));
    return m / (4 + m);
  }
}
