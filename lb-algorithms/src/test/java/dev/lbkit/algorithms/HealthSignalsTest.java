package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.HealthFakes.RecordingListener;
import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeHealthInput;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** How the runtime combines health inputs, reports changes, and applies admission gates. */
class HealthSignalsTest {

  private final FakeHealthInput active = new FakeHealthInput();
  private final FakeHealthInput passive = new FakeHealthInput();
  private final RecordingListener listener = new RecordingListener();
  private final List<Server> s = HealthFakes.servers(3, 0, 0);

  private LoadBalancer lb() {
    return LoadBalancer.builder("c").servers(s).healthInput(active).healthInput(passive).listener(listener)
        .maxEjectionPercent(50).build();
  }

  @Test
  void everyStateChangeReachesTheListenerWithItsReason() {
    try (LoadBalancer lb = lb()) {
      active.control().setActive(s.get(0), ActiveHealth.HEALTHY, "GET /health returned 200");
      active.control().setActive(s.get(0), ActiveHealth.UNHEALTHY, "GET /health returned 503");
      passive.control().eject(s.get(1), "5 consecutive failures");
      passive.control().uneject(s.get(1));
      assertEquals(List.of(
          "10.0.0.1:80: pickable: no health verdict yet -> healthy: GET /health returned 200",
          "10.0.0.1:80: healthy: GET /health returned 200 -> unhealthy: GET /health returned 503",
          "10.0.0.2:80: pickable: no health verdict yet -> ejected: 5 consecutive failures",
          "10.0.0.2:80: ejected: 5 consecutive failures -> pickable: no health verdict yet"), listener.health);
      assertEquals("unhealthy: GET /health returned 503", lb.servers().get(0).health().reason());
    }
  }

  @Test
  void worstActiveVerdictWinsAndAnyEjectionEjects() {
    try (LoadBalancer lb = lb()) {
      active.control().setActive(s.get(0), ActiveHealth.HEALTHY, "ok");
      passive.control().setActive(s.get(0), ActiveHealth.UNHEALTHY, "custom check failed");
      assertEquals("unhealthy: custom check failed", lb.servers().get(0).health().reason());
      passive.control().setActive(s.get(0), ActiveHealth.HEALTHY, "ok");
      assertTrue(lb.servers().get(0).health().pickable());
    }
  }

  @Test
  void detailsAppearInTheSnapshot() {
    try (LoadBalancer lb = lb()) {
      passive.control().setDetail(s.get(0), "breaker", "half-open");
      passive.control().setDetail(s.get(0), "ejections", "2");
      active.control().setDetail(s.get(0), "slowStart", "40%");
      assertEquals(Map.of("breaker", "half-open", "ejections", "2", "slowStart", "40%"), lb.servers().get(0).details());
      passive.control().setDetail(s.get(0), "breaker", null);
      assertFalse(lb.servers().get(0).details().containsKey("breaker"));
    }
  }

  @Test
  void admissionGateRefusalSendsThePickElsewhere() {
    try (LoadBalancer lb = lb()) {
      AtomicBoolean probeOut = new AtomicBoolean();
      passive.control().setAdmissionGate(s.get(0), pick -> probeOut.compareAndSet(false, true));
      Map<String, Integer> counts = HealthFakes.pickCounts(lb, 300);
      assertEquals(1, counts.get(s.get(0).id()), "exactly one probe while it is out");
      assertEquals(299, counts.get(s.get(1).id()) + counts.get(s.get(2).id()));
      passive.control().setAdmissionGate(s.get(0), null);
      assertEquals(100, HealthFakes.pickCounts(lb, 300).get(s.get(0).id()));
    }
  }

  @Test
  void halfOpenGateAdmitsOneProbeUnderConcurrentPicks() throws Exception {
    try (LoadBalancer lb = lb()) {
      AtomicBoolean probeOut = new AtomicBoolean();
      passive.control().setAdmissionGate(s.get(0), pick -> probeOut.compareAndSet(false, true));
      java.util.concurrent.atomic.AtomicInteger toProbe = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<Thread> threads = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        Thread th = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < 2_000; i++) {
            if (lb.pick(PickContext.EMPTY).server().equals(s.get(0))) {
              toProbe.incrementAndGet();
            }
          }
        });
        th.start();
        threads.add(th);
      }
      go.countDown();
      for (Thread th : threads) {
        th.join(10_000);
      }
      assertEquals(1, toProbe.get());
    }
  }

  /** A gate that admits one pick at a time and records how its picks ended. */
  static final class FakeProbeGate implements HealthControl.AdmissionGate {
    final AtomicReference<Selection> out = new AtomicReference<>();
    final List<String> ends = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile boolean refuse;

    @Override
    public boolean tryAdmit(Selection pick) {
      return !refuse && out.compareAndSet(null, pick);
    }

    @Override
    public void onEnd(Selection pick, Outcome outcome, long latencyNanos) {
      ends.add(outcome + (out.compareAndSet(pick, null) ? " own" : " foreign"));
    }
  }

  @Test
  void gateLearnsTheEndOfItsOwnPickOnlyAndStragglersNeverReachIt() {
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s.get(0)).healthInput(passive).build()) {
      Selection straggler = lb.pick(PickContext.EMPTY); // picked before the gate was installed
      FakeProbeGate gate = new FakeProbeGate();
      passive.control().setAdmissionGate(s.get(0), gate);
      Selection probe = lb.pick(PickContext.EMPTY);
      straggler.complete(5, Outcome.SERVER_ERROR);
      assertEquals(List.of(), gate.ends, "a straggler's outcome is not the probe's");
      probe.complete(5, Outcome.SUCCESS);
      probe.complete(5, Outcome.SERVER_ERROR);
      assertEquals(List.of("SUCCESS own"), gate.ends, "exactly once, for the admitted pick");
    }
  }

  @Test
  void pickAdmittedByOneGateAndRefusedByAnotherIsGivenBackAtOnce() {
    FakeHealthInput third = new FakeHealthInput();
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s.get(0), s.get(1))
        .healthInput(passive).healthInput(third).build()) {
      FakeProbeGate admitting = new FakeProbeGate();
      FakeProbeGate refusing = new FakeProbeGate();
      refusing.refuse = true;
      passive.control().setAdmissionGate(s.get(0), admitting);
      third.control().setAdmissionGate(s.get(0), refusing);
      for (int i = 0; i < 10; i++) {
        assertEquals(s.get(1), lb.pick(PickContext.EMPTY).server());
      }
      assertEquals(null, admitting.out.get(), "the slot is free again");
      assertTrue(admitting.ends.stream().allMatch("CANCELLED own"::equals), admitting.ends.toString());
      assertTrue(!admitting.ends.isEmpty());
    }
  }

  @Test
  void cancelledProbeReachesItsGateAsCancelled() {
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s.get(0)).healthInput(passive).build()) {
      FakeProbeGate gate = new FakeProbeGate();
      passive.control().setAdmissionGate(s.get(0), gate);
      lb.pick(PickContext.EMPTY).complete(123, Outcome.CANCELLED);
      assertEquals(List.of("CANCELLED own"), gate.ends);
      lb.pick(PickContext.EMPTY); // the slot was freed at once
    }
  }

  @Test
  void refusedGateOnTheOnlyServerFailsWithTheReason() {
    Server only = Server.of("10.0.0.9", 80);
    FakeHealthInput gate = new FakeHealthInput();
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(only).healthInput(gate).build()) {
      gate.control().setAdmissionGate(only, pick -> false);
      NoAvailableServerException e = assertThrows(NoAvailableServerException.class, () -> lb.pick(PickContext.EMPTY));
      assertEquals("c: 1 of 1 servers pickable; admission refused by 1 server (a half-open circuit breaker admits one probe at a time)", e.getMessage());
    }
  }

  @Test
  void outcomesReachEveryInputAfterStatisticsWereUpdated() {
    FakeHealthInput recording = new FakeHealthInput();
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s.get(0)).healthInput(recording).build()) {
      lb.pick(PickContext.EMPTY).complete(5, Outcome.TIMEOUT);
      lb.pick(PickContext.EMPTY).complete(5, Outcome.SUCCESS);
      assertEquals(List.of("10.0.0.1:80 TIMEOUT failures=1", "10.0.0.1:80 SUCCESS failures=0"), recording.outcomes());
    }
  }

  @Test
  void closingTheBalancerClosesItsInputs() {
    LoadBalancer lb = lb();
    lb.close();
    assertTrue(active.isClosed());
    assertTrue(passive.isClosed());
  }
}
