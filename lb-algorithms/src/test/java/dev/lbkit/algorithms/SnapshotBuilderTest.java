package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer.PanicMode;
import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Server;
import dev.lbkit.api.ZoneRouting;
import dev.lbkit.testing.FakeEndpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The snapshot builder as a pure function: endpoints and rules in, a snapshot out, no balancer. */
class SnapshotBuilderTest {

  private static final HealthState OK = HealthState.initial(true).withActive(ActiveHealth.HEALTHY, "ok");
  private static final HealthState DOWN = HealthState.initial(true).withActive(ActiveHealth.UNHEALTHY, "503");

  private static SnapshotBuilder builder(PanicMode mode) {
    return new SnapshotBuilder("users", Algorithms.roundRobin(), ZoneRouting.NONE, () -> 0L,
        RandomSource.seeded(1), LoadBalancer.DEFAULT_PANIC_THRESHOLD_PERCENT, mode,
        LoadBalancer.DEFAULT_OVERPROVISIONING_FACTOR);
  }

  private static Map<Server, Integer> picks(Snapshot snapshot, int n) {
    Map<Server, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(snapshot.picker.pick(PickContext.EMPTY).server(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void drainingServersAreNeitherPickedNorOfferedAsPreferred() {
    List<FakeEndpoint> e = FakeEndpoint.of(3);
    e.get(1).health(OK.withDraining(true));
    Snapshot s = builder(PanicMode.SPREAD).build(e, id -> null, false);
    assertFalse(picks(s, 30).containsKey(e.get(1).server()));
    assertNull(s.preferred(e.get(1).server().id(), PickContext.EMPTY));
    assertEquals(e.get(0).server(), s.preferred(e.get(0).server().id(), PickContext.EMPTY).server());
    assertFalse(s.panic);
    assertNull(s.panicDetail);
  }

  @Test
  void belowThePanicThresholdSpreadsOverEveryJudgedServer() {
    List<FakeEndpoint> e = FakeEndpoint.of(4);
    e.get(0).health(OK);
    e.get(1).health(DOWN);
    e.get(2).health(DOWN);
    e.get(3).health(DOWN);
    Snapshot s = builder(PanicMode.SPREAD).build(e, id -> null, false);
    assertTrue(s.panic);
    assertEquals("panic: 1 of 4 servers pickable, below the 50% panic threshold", s.panicDetail);
    assertEquals(4, picks(s, 40).size(), "every judged server takes traffic");
  }

  @Test
  void failFastPanicRefusesEveryPickWithTheReason() {
    List<FakeEndpoint> e = FakeEndpoint.of(2);
    e.get(0).health(DOWN);
    e.get(1).health(DOWN);
    Snapshot s = builder(PanicMode.FAIL_FAST).build(e, id -> null, false);
    NoAvailableServerException x = assertThrows(NoAvailableServerException.class, () -> s.picker.pick(PickContext.EMPTY));
    assertEquals("users: 0 of 2 servers pickable (2 unhealthy); "
        + "panic: 0 of 2 servers pickable, below the 50% panic threshold; fail-fast mode", x.getMessage());
  }

  @Test
  void aTierMissingHalfItsServersKeepsSeventyPercentAndTheNextTierTakesTheRest() {
    Server a = Server.builder("10.0.0.1", 80).priority(0).build();
    Server b = Server.builder("10.0.0.2", 80).priority(0).build();
    Server c = Server.builder("10.0.0.3", 80).priority(1).build();
    List<FakeEndpoint> e = List.of(new FakeEndpoint(a).health(OK), new FakeEndpoint(b).health(DOWN),
        new FakeEndpoint(c).health(OK));
    Snapshot s = builder(PanicMode.SPREAD).build(e, id -> null, false);
    Map<Server, Integer> counts = picks(s, 10_000);
    // Tier 0's health is min(1, 1.4 × 1/2) = 0.7.
    assertEquals(7_000, counts.get(a), 300);
    assertEquals(3_000, counts.get(c), 300);
    assertFalse(counts.containsKey(b));
  }

  @Test
  void withoutServersEveryPickFailsWithTheCounts() {
    Snapshot s = builder(PanicMode.SPREAD).build(List.of(), id -> null, false);
    NoAvailableServerException x = assertThrows(NoAvailableServerException.class, () -> s.picker.pick(PickContext.EMPTY));
    assertEquals("users: no servers", x.getMessage());
  }
}
