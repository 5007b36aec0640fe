package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.HealthFakes.RecordingListener;
import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeHealthInput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PanicModeTest {

  private final FakeHealthInput health = new FakeHealthInput();
  private final RecordingListener listener = new RecordingListener();
  private final List<Server> s = HealthFakes.servers(4, 0, 0);

  private LoadBalancer lb(LoadBalancer.PanicMode mode) {
    return LoadBalancer.builder("c").servers(s).healthInput(health).listener(listener).panicMode(mode)
        .random(dev.lbkit.api.RandomSource.seeded(7)).build();
  }

  private void down(int... indexes) {
    for (int i : indexes) {
      health.control().setActive(s.get(i), ActiveHealth.UNHEALTHY, "GET /health returned 503");
    }
  }

  private void up(int... indexes) {
    for (int i : indexes) {
      health.control().setActive(s.get(i), ActiveHealth.HEALTHY, "GET /health returned 200");
    }
  }

  @Test
  void atTheThresholdThereIsNoPanic() {
    try (LoadBalancer lb = lb(LoadBalancer.PanicMode.SPREAD)) {
      down(0, 1);
      assertFalse(lb.inPanic());
      Map<String, Integer> counts = HealthFakes.pickCounts(lb, 400);
      assertEquals(Map.of(s.get(2).id(), 200, s.get(3).id(), 200), counts);
    }
  }

  @Test
  void spreadModeSpreadsOverEveryServerBelowTheThreshold() {
    try (LoadBalancer lb = lb(LoadBalancer.PanicMode.SPREAD)) {
      down(0, 1, 2);
      assertTrue(lb.inPanic());
      Map<String, Integer> counts = HealthFakes.pickCounts(lb, 400);
      assertEquals(4, counts.size());
      counts.values().forEach(c -> assertEquals(100, c));
    }
  }

  @Test
  void spreadModeNeverUsesDrainingServers() {
    try (LoadBalancer lb = lb(LoadBalancer.PanicMode.SPREAD)) {
      lb.drain(s.get(0));
      down(1, 2);
      assertTrue(lb.inPanic(), "1 of 3 non-draining servers pickable");
      Map<String, Integer> counts = HealthFakes.pickCounts(lb, 300);
      assertFalse(counts.containsKey(s.get(0).id()));
      assertEquals(3, counts.size());
    }
  }

  @Test
  void failFastModeThrowsTheExplainedException() {
    try (LoadBalancer lb = lb(LoadBalancer.PanicMode.FAIL_FAST)) {
      down(0, 1, 2);
      NoAvailableServerException e =
          assertThrows(NoAvailableServerException.class, () -> lb.pick(PickContext.EMPTY));
      assertEquals("c: 1 of 4 servers pickable (3 unhealthy); panic: 1 of 4 servers pickable, below the 50% "
          + "panic threshold; fail-fast mode", e.getMessage());
      assertEquals(3, e.unhealthy());
    }
  }

  @Test
  void eachTransitionIsReportedOnce() {
    try (LoadBalancer lb = lb(LoadBalancer.PanicMode.SPREAD)) {
      down(0, 1, 2);
      down(3);
      up(3);
      HealthFakes.pickCounts(lb, 10);
      up(0, 1);
      down(0);
      up(0);
      assertFalse(lb.inPanic());
      assertEquals(List.of(
          "enter panic: 1 of 4 servers pickable, below the 50% panic threshold",
          "leave panic over: 2 of 4 servers pickable, at or above the 50% panic threshold"), listener.panics);
    }
  }

  @Test
  void coldStartWhileAwaitingFirstChecksIsNotAPanic() {
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s).healthInput(health).listener(listener)
        .unknownPickable(false).build()) {
      assertFalse(lb.inPanic());
      NoAvailableServerException e = assertThrows(NoAvailableServerException.class, () -> lb.pick(PickContext.EMPTY));
      assertEquals("c: 0 of 4 servers pickable (4 awaiting first health check)", e.getMessage());
      up(0);
      assertEquals(Map.of(s.get(0).id(), 20), HealthFakes.pickCounts(lb, 20));
      down(1, 2);
      assertTrue(lb.inPanic(), "1 of 3 judged servers pickable");
      Map<String, Integer> counts = HealthFakes.pickCounts(lb, 300);
      assertEquals(3, counts.size());
      assertFalse(counts.containsKey(s.get(3).id()), "never spread onto a server awaiting its first check");
      assertEquals(List.of("enter panic: 1 of 3 servers pickable, below the 50% panic threshold"), listener.panics);
    }
  }

  @Test
  void thresholdZeroDisablesPanic() {
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s).healthInput(health).panicThresholdPercent(0).build()) {
      down(0, 1, 2);
      assertFalse(lb.inPanic());
      assertEquals(Map.of(s.get(3).id(), 50), HealthFakes.pickCounts(lb, 50));
    }
  }

  @Test
  void rejectsBadPanicThreshold() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LoadBalancer.builder("c").servers(s).panicThresholdPercent(101).build());
    assertEquals("panicThresholdPercent must be in [0, 100], was 101", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> LoadBalancer.builder("c").servers(s).maxEjectionPercent(-1).build());
    assertEquals("maxEjectionPercent must be in [0, 100], was -1", e.getMessage());
  }
}
