package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.algorithms.HealthFakes.FakeWeightedRandom;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeHealthInput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A health input's weight multiplier (slow start) reaches a weighted algorithm that reads
 * effective weights live. The least-connections variant needs the shipped algorithms.
 */
class SlowStartShareTest {

  private static final int PICKS = 100_000;

  private final FakeHealthInput slowStart = new FakeHealthInput();
  private final List<Server> s = HealthFakes.servers(4, 0, 0);

  private double shareOfNewServer(LoadBalancer lb) {
    Map<String, Integer> counts = HealthFakes.pickCounts(lb, PICKS);
    return counts.getOrDefault(s.get(3).id(), 0) / (double) PICKS;
  }

  private static void assertShare(double expected, double actual) {
    double sigma = Math.sqrt(expected * (1 - expected) / PICKS);
    assertEquals(expected, actual, 6.1 * sigma);
  }

  @Test
  void newServerShareFollowsItsMultiplier() {
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s).healthInput(slowStart)
        .algorithm(new FakeWeightedRandom()).random(RandomSource.seeded(11)).build()) {
      double[] ramp = {0.1, 0.4, 0.7, 1.0};
      for (double m : ramp) {
        slowStart.control().setWeightMultiplier(s.get(3), m);
        assertEquals(m, lb.servers().get(3).effectiveWeight(), 1e-12);
        assertShare(m / (3 + m), shareOfNewServer(lb));
      }
      // A multiplier never makes a server unpickable.
      assertEquals(dev.lbkit.api.HealthState.Status.PICKABLE, lb.servers().get(3).health().status());
    }
  }

  @Test
  void multipliersOfTwoInputsMultiply() {
    FakeHealthInput other = new FakeHealthInput();
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s).healthInput(slowStart).healthInput(other)
        .algorithm(new FakeWeightedRandom()).build()) {
      slowStart.control().setWeightMultiplier(s.get(3), 0.5);
      other.control().setWeightMultiplier(s.get(3), 0.5);
      assertEquals(0.25, lb.servers().get(3).effectiveWeight(), 1e-12);
      assertEquals("pickable: no health verdict yet (weight x0.25)", lb.servers().get(3).health().toString());
    }
  }
}
