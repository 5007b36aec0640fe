package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeHealthInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Envoy-style priority tiers: traffic spills to lower tiers in proportion to missing capacity. */
class PriorityTierTest {

  private static final int PICKS = 100_000;

  private final FakeHealthInput health = new FakeHealthInput();
  private final List<Server> p0 = HealthFakes.servers(10, 0, 0);
  private final List<Server> p1 = HealthFakes.servers(10, 1, 1);

  private LoadBalancer lb(double factor) {
    List<Server> all = new ArrayList<>(p0);
    all.addAll(p1);
    return LoadBalancer.builder("c").servers(all).healthInput(health).overprovisioningFactor(factor)
        .random(RandomSource.seeded(42)).build();
  }

  private void down(List<Server> tier, int count) {
    for (int i = 0; i < count; i++) {
      health.control().setActive(tier.get(i), ActiveHealth.UNHEALTHY, "down");
    }
  }

  /** Share of picks that went to tier 0. */
  private double tier0Share(LoadBalancer lb) {
    Map<String, Integer> counts = HealthFakes.pickCounts(lb, PICKS);
    int zero = 0;
    for (Server s : p0) {
      zero += counts.getOrDefault(s.id(), 0);
    }
    return zero / (double) PICKS;
  }

  /**
   * Binomial tolerance: 6.1 standard deviations, a two-sided miss probability near 1e-9 for
   * the fixed seed's sample.
   */
  private static void assertShare(double expected, double actual) {
    double sigma = Math.sqrt(expected * (1 - expected) / PICKS);
    assertEquals(expected, actual, Math.max(6.1 * sigma, 1e-12), "tier 0 share");
  }

  @Test
  void healthyTopTierTakesAllTraffic() {
    try (LoadBalancer lb = lb(1.4)) {
      assertEquals(1.0, tier0Share(lb));
    }
  }

  @Test
  void topTierKeepsAllTrafficWhileOverprovisioningCoversItsLosses() {
    try (LoadBalancer lb = lb(1.4)) {
      down(p0, 2); // 1.4 x 80% = 112%, capped at 100%
      assertEquals(1.0, tier0Share(lb));
    }
  }

  @Test
  void spillOverFollowsTheOverprovisioningFactor() {
    try (LoadBalancer lb = lb(1.4)) {
      down(p0, 5); // 1.4 x 50% = 70% stays, 30% spills to tier 1
      assertShare(0.70, tier0Share(lb));
    }
    try (LoadBalancer lb = lb(1.4)) {
      down(p0, 4); // 1.4 x 60% = 84%
      assertShare(0.84, tier0Share(lb));
    }
  }

  @Test
  void factorOfOneSpillsExactlyTheMissingShare() {
    try (LoadBalancer lb = lb(1.0)) {
      down(p0, 3);
      assertShare(0.70, tier0Share(lb));
    }
  }

  @Test
  void degradedTiersShareInProportionToTheirHealth() {
    try (LoadBalancer lb = lb(1.4)) {
      down(p0, 7); // health 1.4 x 30% = 42%
      down(p1, 8); // health 1.4 x 20% = 28%; total 70% < 100%: normalised 60/40
      assertFalse(lb.inPanic(), "30% + 20% = 50% is not below the panic threshold");
      assertShare(0.6, tier0Share(lb));
    }
  }

  @Test
  void deadTopTierSendsEverythingToTheNextTier() {
    try (LoadBalancer lb = lb(1.4)) {
      down(p0, 10);
      assertFalse(lb.inPanic());
      assertEquals(0.0, tier0Share(lb));
    }
  }

  @Test
  void recoveredTopTierTakesItsTrafficBack() {
    try (LoadBalancer lb = lb(1.4)) {
      down(p0, 10);
      for (Server s : p0) {
        health.control().setActive(s, ActiveHealth.HEALTHY, "up");
      }
      assertEquals(1.0, tier0Share(lb));
    }
  }
}
