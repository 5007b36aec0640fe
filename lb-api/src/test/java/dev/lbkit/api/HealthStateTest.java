package dev.lbkit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HealthStateTest {

  @Test
  void newServerIsPickableWhenUnknownIsAllowed() {
    HealthState s = HealthState.initial(true);
    assertTrue(s.pickable());
    assertEquals("pickable: no health verdict yet", s.reason());
  }

  @Test
  void newServerWaitsForFirstCheckWhenUnknownIsNotAllowed() {
    HealthState s = HealthState.initial(false);
    assertFalse(s.pickable());
    assertEquals(HealthState.Status.UNKNOWN, s.status());
    assertEquals("unknown: awaiting first health check", s.reason());
    assertTrue(s.withActive(ActiveHealth.HEALTHY, null).pickable());
  }

  @Test
  void drainWinsOverEjectionWhichWinsOverActiveVerdict() {
    HealthState s =
        HealthState.INITIAL
            .withActive(ActiveHealth.UNHEALTHY, "GET /health returned 503")
            .withEjection("5 consecutive failures");
    assertEquals("ejected: 5 consecutive failures", s.reason());
    assertEquals("draining", s.withDraining(true).reason());
    assertEquals("unhealthy: GET /health returned 503", s.withEjection(null).reason());
    assertTrue(s.withEjection(null).withActive(ActiveHealth.HEALTHY, null).pickable());
  }

  @Test
  void weightMultiplierNeverChangesPickability() {
    HealthState s = HealthState.INITIAL.withWeightMultiplier(0.1);
    assertTrue(s.pickable());
    assertEquals(0.1, s.weightMultiplier());
    assertEquals("pickable: no health verdict yet (weight x0.1)", s.toString());
  }

  @Test
  void rejectsMultiplierOutsideUnitInterval() {
    ServerTest.assertMessage(
        "weightMultiplier must be in (0, 1], was 0.0", () -> HealthState.INITIAL.withWeightMultiplier(0));
    ServerTest.assertMessage(
        "weightMultiplier must be in (0, 1], was 1.5", () -> HealthState.INITIAL.withWeightMultiplier(1.5));
  }
}
