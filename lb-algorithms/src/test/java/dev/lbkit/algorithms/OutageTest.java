package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeHealthInput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every server down: callers fail fast or spread, and are never left hanging. */
class OutageTest {

  private final FakeHealthInput health = new FakeHealthInput();
  private final List<Server> s = HealthFakes.servers(3, 0, 0);

  private LoadBalancerBuilder builder() {
    return LoadBalancer.builder("user-service").servers(s).healthInput(health);
  }

  private void allDown() {
    for (Server server : s) {
      health.control().setActive(server, ActiveHealth.UNHEALTHY, "connection refused");
    }
  }

  @Test
  void failFastModeThrowsTheExplainedExceptionAtOnce() {
    try (LoadBalancer lb = builder().panicMode(LoadBalancer.PanicMode.FAIL_FAST).build()) {
      allDown();
      NoAvailableServerException e =
          assertThrows(NoAvailableServerException.class, () -> lb.pick(PickContext.EMPTY));
      assertEquals("user-service: 0 of 3 servers pickable (3 unhealthy); panic: 0 of 3 servers pickable, "
          + "below the 50% panic threshold; fail-fast mode", e.getMessage());
      assertEquals("user-service", e.cluster());
    }
  }

  @Test
  void spreadModeStillGivesPicksSoCallsFailOnTheirOwn() {
    try (LoadBalancer lb = builder().build()) {
      allDown();
      assertTrue(lb.inPanic());
      Map<String, Integer> counts = HealthFakes.pickCounts(lb, 300);
      assertEquals(Map.of(s.get(0).id(), 100, s.get(1).id(), 100, s.get(2).id(), 100), counts);
    }
  }

  @Test
  void withoutPanicEveryServerDownFailsWithCounts() {
    try (LoadBalancer lb = builder().panicThresholdPercent(0).build()) {
      allDown();
      health.control().eject(s.get(0), "5 consecutive failures");
      NoAvailableServerException e =
          assertThrows(NoAvailableServerException.class, () -> lb.pick(PickContext.EMPTY));
      assertEquals("user-service: 0 of 3 servers pickable (2 unhealthy, 1 ejected)", e.getMessage());
    }
  }

  @Test
  void countsFollowAStatusChangeBetweenTwoUnpickableStates() {
    try (LoadBalancer lb = builder().panicThresholdPercent(0).unknownPickable(false).build()) {
      NoAvailableServerException e =
          assertThrows(NoAvailableServerException.class, () -> lb.pick(PickContext.EMPTY));
      assertEquals("user-service: 0 of 3 servers pickable (3 awaiting first health check)", e.getMessage());
      allDown();
      e = assertThrows(NoAvailableServerException.class, () -> lb.pick(PickContext.EMPTY));
      assertEquals("user-service: 0 of 3 servers pickable (3 unhealthy)", e.getMessage());
    }
  }
}
