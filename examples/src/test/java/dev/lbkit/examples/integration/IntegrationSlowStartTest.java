package dev.lbkit.examples.integration;

import static dev.lbkit.examples.integration.IntegrationPassiveHealthTest.pickCounts;
import static dev.lbkit.examples.integration.IntegrationPassiveHealthTest.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.algorithms.LoadBalancerBuilder;
import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.health.SlowStart;
import dev.lbkit.testing.FakeHealthInput;
import dev.lbkit.testing.FakeScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The real {@link SlowStart} input ramps a newly added (or re-admitted) server's share in a real
 * {@link LoadBalancer}, in virtual time: a 30 s linear ramp from 10%, published every second.
 */
class IntegrationSlowStartTest {

  private static final int PICKS = 20_000;

  private final FakeScheduler time = new FakeScheduler();
  private final List<Server> old = List.of(
      Server.of("10.0.0.1", 8080), Server.of("10.0.0.2", 8080), Server.of("10.0.0.3", 8080));
  private final Server fresh = Server.of("10.0.0.4", 8080);

  private LoadBalancerBuilder balancer(Algorithm algorithm) {
    return LoadBalancer.builder("users").algorithm(algorithm).servers(old).ticker(time.ticker())
        .random(RandomSource.seeded(5))
        .healthInput(SlowStart.builder().window(Duration.ofSeconds(30)).minimumSharePercent(10)
            .step(Duration.ofSeconds(1)).scheduler(time).build());
  }

  private void addFresh(LoadBalancer lb) {
    List<Server> all = new ArrayList<>(old);
    all.add(fresh);
    lb.updateServers(all);
    time.runDue();
  }

  /** Pick share within 6 binomial standard deviations (seeded, so a fixed outcome). */
  private static void assertShare(double expected, int picks, String what) {
    double actual = picks / (double) PICKS;
    double sigma = Math.sqrt(expected * (1 - expected) / PICKS);
    assertEquals(expected, actual, 6 * sigma, what);
  }

  @Test
  void newServerShareFollowsTheLinearRamp() {
    try (LoadBalancer lb = balancer(Algorithms.weightedRandom()).build()) {
      time.advance(Duration.ofSeconds(60)); // the first list has no one to be slower than
      assertEquals(1.0, view(lb, old.get(0)).effectiveWeight(), 1e-12, "initial servers start at full weight");

      addFresh(lb);
      // seconds into the window -> multiplier: max(10%, t / 30 s)
      double[][] ramp = {{0, 0.1}, {3, 0.1}, {6, 0.2}, {15, 0.5}, {24, 0.8}, {30, 1.0}, {45, 1.0}};
      long at = 0;
      for (double[] point : ramp) {
        time.advance(Duration.ofSeconds((long) point[0] - at));
        at = (long) point[0];
        double m = point[1];
        assertEquals(m, view(lb, fresh).effectiveWeight(), 1e-9, "multiplier at " + at + " s");
        int picks = pickCounts(lb, PICKS).getOrDefault(fresh.id(), 0);
        assertShare(m / (3 + m), picks, "share of the fresh server at " + at + " s");
      }
    }
  }

  @Test
  void newServerDoesNotTakeEveryRequestUnderPowerOfTwoChoices() {
    // Requests stay in flight (a closed loop of 200), so P2C compares (in-flight + 1) / weight.
    try (LoadBalancer lb = balancer(Algorithms.powerOfTwoChoices().build()).build()) {
      time.advance(Duration.ofSeconds(60));
      SplittableRandom completions = new SplittableRandom(9);
      List<Selection> outstanding = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        outstanding.add(lb.pick(PickContext.EMPTY));
      }
      addFresh(lb);
      int newPicksToFresh = 0;
      for (int i = 0; i < 30; i++) {
        Selection s = lb.pick(PickContext.EMPTY);
        outstanding.add(s);
        newPicksToFresh += s.server().equals(fresh) ? 1 : 0;
      }
      // Old servers near 67 in flight (score ~68); the fresh one scores (n + 1) / 0.1.
      assertTrue(newPicksToFresh <= 8, "the empty fresh server took " + newPicksToFresh + " of 30 new requests");

      for (int t = 0; t <= 30; t += 15) {
        long sum = 0;
        int steps = 5_000;
        for (int i = 0; i < steps; i++) {
          Selection done = outstanding.set(completions.nextInt(outstanding.size()), lb.pick(PickContext.EMPTY));
          done.complete(1_000_000, Outcome.SUCCESS);
          sum += view(lb, fresh).inFlight();
        }
        double m = view(lb, fresh).effectiveWeight();
        double share = sum / (double) steps / outstanding.size();
        double proportional = m / (3 + m);
        assertEquals(proportional, share, 0.2 * proportional,
            "in-flight share at multiplier " + m + " (" + t + " s into the ramp)");
        time.advance(Duration.ofSeconds(15));
      }
      for (Selection s : outstanding) {
        s.complete(1_000_000, Outcome.SUCCESS);
      }
    }
  }

  /**
   * With {@code unknownPickable(false)} a new server becomes pickable when its first check
   * passes, between two slow-start steps. Its ramp must begin at that moment: before 0.2.0 it
   * began at the next step, and until then least connections sent the empty server 10 of the
   * next 10 picks, the herd slow start exists to prevent.
   */
  @Test
  void rampBeginsTheMomentACheckMakesAServerPickable() {
    FakeHealthInput checks = new FakeHealthInput();
    try (LoadBalancer lb = balancer(Algorithms.leastConnections()).healthInput(checks)
        .unknownPickable(false).build()) {
      for (Server s : old) {
        checks.control().setActive(s, ActiveHealth.HEALTHY, "GET /health returned 200");
      }
      time.advance(Duration.ofSeconds(60));
      List<Selection> outstanding = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        outstanding.add(lb.pick(PickContext.EMPTY)); // 10 in flight on each old server
      }
      addFresh(lb);
      assertTrue(!view(lb, fresh).health().pickable(), "waits for its first check");
      time.advance(Duration.ofMillis(400)); // between two 1 s steps
      checks.control().setActive(fresh, ActiveHealth.HEALTHY, "GET /health returned 200");
      assertEquals(0.1, view(lb, fresh).effectiveWeight(), 1e-9, "the ramp starts at once");
      int toFresh = 0;
      for (int i = 0; i < 10; i++) {
        Selection s = lb.pick(PickContext.EMPTY);
        outstanding.add(s);
        toFresh += s.server().equals(fresh) ? 1 : 0;
      }
      // Old servers score 11 to 14; the fresh one scores (n + 1) / 0.1 = 10, then 20.
      assertTrue(toFresh <= 2, "the fresh server took " + toFresh + " of the next 10 picks");
      for (Selection s : outstanding) {
        s.complete(1_000_000, Outcome.SUCCESS);
      }
    }
  }

  @Test
  void reAdmittedServerRampsAgain() {
    Server bad = old.get(1);
    try (LoadBalancer lb = balancer(Algorithms.weightedRandom())
        .healthInput(OutlierDetection.builder().consecutiveFailures(3).failurePercentageEnabled(false)
            .baseEjectionTime(Duration.ofSeconds(10)).scheduler(time).build())
        .build()) {
      time.advance(Duration.ofSeconds(60));
      int failures = 0;
      for (int i = 0; i < 1_000 && failures < 3; i++) {
        Selection s = lb.pick(PickContext.EMPTY);
        boolean isBad = s.server().equals(bad);
        failures += isBad ? 1 : 0;
        s.complete(1_000_000, isBad ? Outcome.SERVER_ERROR : Outcome.SUCCESS);
      }
      assertTrue(view(lb, bad).health().ejected());
      time.advance(Duration.ofSeconds(10)); // re-admitted, noticed at the next slow-start step
      time.advance(Duration.ofSeconds(1));
      assertTrue(view(lb, bad).health().pickable());
      double m = view(lb, bad).effectiveWeight();
      assertTrue(m >= 0.1 && m <= 0.1 + 1e-9, "a re-admitted server starts its ramp at the minimum, was " + m);
      time.advance(Duration.ofSeconds(30));
      assertEquals(1.0, view(lb, bad).effectiveWeight(), 1e-12);
    }
  }
}
