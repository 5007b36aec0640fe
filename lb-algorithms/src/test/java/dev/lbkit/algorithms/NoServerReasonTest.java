package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.NoAvailableServerException.Reason;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeHealthInput;
import dev.lbkit.testing.FakeServerSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each reason of {@link NoAvailableServerException} is set where the runtime throws it. */
class NoServerReasonTest {

  private final FakeHealthInput health = new FakeHealthInput();
  private final List<Server> s = HealthFakes.servers(2, 0, 0);

  /** Panic off, so that an unpickable cluster fails instead of spreading. */
  private LoadBalancer lb() {
    return LoadBalancer.builder("c").servers(s).healthInput(health).panicThresholdPercent(0)
        .maxEjectionPercent(100).build();
  }

  private static NoAvailableServerException pickFails(LoadBalancer lb, PickContext ctx) {
    return assertThrows(NoAvailableServerException.class, () -> lb.pick(ctx));
  }

  @Test
  void noServersBeforeAnyListAndForAnEmptyOne() {
    FakeServerSource source = new FakeServerSource();
    try (LoadBalancer lb = LoadBalancer.builder("c").source(source).build()) {
      NoAvailableServerException e = pickFails(lb, PickContext.EMPTY);
      assertEquals(Reason.NO_SERVERS, e.reason());
      assertEquals("c: no servers", e.getMessage());
      source.push(s);
      source.push(List.of());
      assertEquals(Reason.NO_SERVERS, pickFails(lb, PickContext.EMPTY).reason());
    }
  }

  @Test
  void allUnhealthyWhenActiveChecksFailEveryServer() {
    try (LoadBalancer lb = lb()) {
      health.down(s.get(0), s.get(1));
      NoAvailableServerException e = pickFails(lb, PickContext.EMPTY);
      assertEquals(Reason.ALL_UNHEALTHY, e.reason());
      assertEquals("c: 0 of 2 servers pickable (2 unhealthy)", e.getMessage());
    }
  }

  @Test
  void allUnhealthyForAMixOfUnhealthyAndEjected() {
    try (LoadBalancer lb = lb()) {
      assertTrue(health.control().eject(s.get(0), "5 consecutive failures"));
      health.down(s.get(1));
      assertEquals(Reason.ALL_UNHEALTHY, pickFails(lb, PickContext.EMPTY).reason());
    }
  }

  @Test
  void allEjectedWhenPassiveHealthEjectedEveryServerNotDraining() {
    try (LoadBalancer lb = lb()) {
      assertTrue(health.control().eject(s.get(0), "5 consecutive failures"));
      lb.drain(s.get(1));
      NoAvailableServerException e = pickFails(lb, PickContext.EMPTY);
      assertEquals(Reason.ALL_EJECTED, e.reason());
      assertEquals("c: 0 of 2 servers pickable (1 ejected, 1 draining)", e.getMessage());
    }
  }

  @Test
  void allDrainingWhenEveryServerDrains() {
    try (LoadBalancer lb = lb()) {
      lb.drain(s.get(0));
      lb.drain(s.get(1));
      NoAvailableServerException e = pickFails(lb, PickContext.EMPTY);
      assertEquals(Reason.ALL_DRAINING, e.reason());
      assertEquals("c: 0 of 2 servers pickable (2 draining); every server is draining", e.getMessage());
    }
  }

  @Test
  void panicFailFastInFailFastMode() {
    List<Server> four = HealthFakes.servers(4, 0, 0);
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(four).healthInput(health)
        .panicMode(LoadBalancer.PanicMode.FAIL_FAST).build()) {
      for (int i = 0; i < 3; i++) {
        health.control().setActive(four.get(i), ActiveHealth.UNHEALTHY, "503");
      }
      NoAvailableServerException e = pickFails(lb, PickContext.EMPTY);
      assertEquals(Reason.PANIC_FAIL_FAST, e.reason(), e.getMessage());
    }
  }

  @Test
  void allTriedWhenTheRequestAvoidsEveryPickableServer() {
    try (LoadBalancer lb = lb()) {
      NoAvailableServerException e = pickFails(lb, PickContext.builder().avoidAll(s).build());
      assertEquals(Reason.ALL_TRIED, e.reason());
      assertEquals("c: 0 of 2 servers pickable (2 already tried)", e.getMessage());
    }
  }

  @Test
  void allTriedAlsoInAPriorityTierFallback() {
    List<Server> tiers = List.of(s.get(0), s.get(1).toBuilder().priority(1).build());
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(tiers).build()) {
      assertEquals(Reason.ALL_TRIED, pickFails(lb, PickContext.builder().avoidAll(tiers).build()).reason());
    }
  }

  @Test
  void admissionRefusedWhenEveryGateRefuses() {
    try (LoadBalancer lb = lb()) {
      health.control().setAdmissionGate(s.get(0), pick -> false);
      health.control().setAdmissionGate(s.get(1), pick -> false);
      NoAvailableServerException e = pickFails(lb, PickContext.EMPTY);
      assertEquals(Reason.ADMISSION_REFUSED, e.reason());
      assertTrue(e.getMessage().endsWith("admission refused by 2 servers (a half-open circuit breaker admits one"
          + " probe at a time)"), e.getMessage());
    }
  }

  @Test
  void algorithmLimitWhenBoundedLoadHashingHasEveryServerLeftAtItsCap() {
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s).algorithm(Algorithms.boundedLoadHash().build())
        .build()) {
      // Avoiding the first server leaves one; picks never completed fill it to its cap.
      PickContext ctx = PickContext.builder().hashKey("user-7").avoid(s.get(0)).build();
      NoAvailableServerException e = null;
      for (int i = 0; i < 10 && e == null; i++) {
        try {
          lb.pick(ctx);
        } catch (NoAvailableServerException thrown) {
          e = thrown;
        }
      }
      assertTrue(e != null, "the cap is reached within 10 picks");
      assertEquals(Reason.ALGORITHM_LIMIT, e.reason());
      assertTrue(e.getMessage().contains("bounded load"), e.getMessage());
    }
  }
}
