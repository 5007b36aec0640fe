package dev.lbkit.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl.AdmissionGate;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeScheduler;
import dev.lbkit.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CircuitBreakersTest {

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final FakeHealthControl control = new FakeHealthControl(ticker);
  private final Server a = Server.of("10.0.0.1", 80);
  private final Server b = Server.of("10.0.0.2", 80);
  private List<Endpoint> endpoints;
  private HealthInput input;

  private void start(CircuitBreakers.Builder builder) {
    input = builder.scheduler(scheduler).build();
    input.start(control);
    endpoints = control.servers(input, a, b);
  }

  private void report(Outcome outcome, int times) {
    for (int i = 0; i < times; i++) {
      input.onOutcome(endpoints.get(0), outcome, 1_000_000);
    }
  }

  private String breaker() {
    return control.detail(a, BreakerInput.DETAIL);
  }

  private AdmissionGate gate() {
    return control.gates.get(a.id());
  }

  /** Window of 10, minimum 10, 50%: five failures among ten calls open the breaker. */
  private void open() {
    start(CircuitBreakers.builder().slidingWindowSize(10).minimumNumberOfCalls(10));
    report(Outcome.SUCCESS, 5);
    report(Outcome.SERVER_ERROR, 4);
    assertEquals("closed", breaker());
    assertFalse(control.ejected.containsKey(a.id()));
    report(Outcome.SERVER_ERROR, 1);
  }

  @Test
  void opensAtTheFailureRateAndEjectsInline() {
    open();
    assertEquals("open", breaker());
    assertEquals("circuit breaker open (failure rate reached 50%)", control.ejected.get(a.id()));
    assertNull(gate());
  }

  @Test
  void controlPlaneMovesAnExpiredOpenBreakerToHalfOpenOnTheInjectedClock() {
    open();
    scheduler.advance(Duration.ofMillis(9_999));
    assertEquals("open", breaker());
    scheduler.advance(Duration.ofMillis(1));
    assertEquals("half-open", breaker());
    assertFalse(control.ejected.containsKey(a.id()), "half-open servers are pickable, behind the gate");
  }

  /** A pick of server a, as the runtime hands one to the gate. */
  private Selection pick() {
    return new Selection() {
      @Override
      public Server server() {
        return a;
      }

      @Override
      public void complete(long latencyNanos, Outcome outcome) {
        throw new UnsupportedOperationException();
      }
    };
  }

  /** Reports an admitted pick's outcome as the runtime does: to every input, then to its gate. */
  private void finish(AdmissionGate gate, Selection probe, Outcome outcome) {
    input.onOutcome(endpoints.get(0), outcome, 1_000_000);
    gate.onEnd(probe, outcome, outcome == Outcome.CANCELLED ? 0 : 1_000_000);
  }

  @Test
  void halfOpenAdmitsExactlyOneProbeAtATime() {
    open();
    scheduler.advance(Duration.ofSeconds(10));
    AdmissionGate gate = gate();
    Selection probe = pick();
    assertTrue(gate.tryAdmit(probe));
    for (int i = 0; i < 100; i++) {
      assertFalse(gate.tryAdmit(pick()), "a second request while the probe is out");
    }
    finish(gate, probe, Outcome.SUCCESS);
    assertEquals("closed", breaker());
    assertNull(gate(), "closed: no gate, full traffic");
  }

  @Test
  void moreProbesOnlyAfterEachSucceeds() {
    start(CircuitBreakers.builder().slidingWindowSize(4).minimumNumberOfCalls(4).halfOpenProbes(3));
    report(Outcome.TIMEOUT, 4);
    scheduler.advance(Duration.ofSeconds(10));
    AdmissionGate gate = gate();
    for (int i = 0; i < 3; i++) {
      Selection probe = pick();
      assertTrue(gate.tryAdmit(probe), "probe " + i);
      assertFalse(gate.tryAdmit(pick()));
      assertEquals("half-open", breaker());
      finish(gate, probe, Outcome.SUCCESS);
    }
    assertEquals("closed", breaker());
  }

  @Test
  void failedProbeReopensAndEjectsAgain() {
    open();
    scheduler.advance(Duration.ofSeconds(10));
    Selection probe = pick();
    assertTrue(gate().tryAdmit(probe));
    finish(gate(), probe, Outcome.CONNECT_FAILURE);
    assertEquals("open", breaker());
    assertTrue(control.ejected.containsKey(a.id()));
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals("half-open", breaker());
  }

  @Test
  void stragglerOutcomesDoNotCountAsProbes() {
    open();
    report(Outcome.SERVER_ERROR, 3); // in flight before the breaker opened
    scheduler.advance(Duration.ofSeconds(10));
    report(Outcome.SERVER_ERROR, 3); // no probe out yet
    assertEquals("half-open", breaker());
  }

  @Test
  void stragglerFailureWhileTheProbeIsOutNeitherReopensNorDecides() {
    open();
    scheduler.advance(Duration.ofSeconds(10));
    AdmissionGate gate = gate();
    Selection probe = pick();
    assertTrue(gate.tryAdmit(probe));
    report(Outcome.SERVER_ERROR, 1); // picked before the breaker opened
    assertEquals("half-open", breaker(), "a straggler's failure is not the probe's");
    assertFalse(gate.tryAdmit(pick()), "the probe is still out");
    finish(gate, probe, Outcome.SUCCESS);
    assertEquals("closed", breaker(), "the probe's own success decides at once");
  }

  @Test
  void stragglerSuccessDoesNotFreeTheProbeSlot() {
    open();
    scheduler.advance(Duration.ofSeconds(10));
    AdmissionGate gate = gate();
    assertTrue(gate.tryAdmit(pick()));
    report(Outcome.SUCCESS, 1);
    assertFalse(gate.tryAdmit(pick()), "a second probe while the first is out");
    assertEquals("half-open", breaker());
  }

  @Test
  void cancelledProbeFreesItsSlotAtOnce() {
    open();
    scheduler.advance(Duration.ofSeconds(10));
    AdmissionGate gate = gate();
    Selection probe = pick();
    assertTrue(gate.tryAdmit(probe));
    finish(gate, probe, Outcome.CANCELLED);
    assertEquals("half-open", breaker());
    Selection next = pick();
    assertTrue(gate.tryAdmit(next), "no wait for the open-state duration");
    finish(gate, next, Outcome.SUCCESS);
    assertEquals("closed", breaker());
  }

  @Test
  void probeGivenUpBeforeItWasSentFreesItsSlot() {
    open();
    scheduler.advance(Duration.ofSeconds(10));
    AdmissionGate gate = gate();
    Selection probe = pick();
    assertTrue(gate.tryAdmit(probe));
    gate.onEnd(probe, Outcome.CANCELLED, 0); // another gate refused it: the runtime gives it back
    assertTrue(gate.tryAdmit(pick()));
  }

  @Test
  void lateEndOfAProbeWhoseSlotExpiredIsIgnored() {
    open();
    scheduler.advance(Duration.ofSeconds(10));
    AdmissionGate gate = gate();
    Selection lost = pick();
    assertTrue(gate.tryAdmit(lost));
    ticker.advance(Duration.ofSeconds(10));
    Selection second = pick();
    assertTrue(gate.tryAdmit(second));
    finish(gate, lost, Outcome.SERVER_ERROR);
    assertEquals("half-open", breaker(), "the lost probe no longer decides");
    finish(gate, second, Outcome.SUCCESS);
    assertEquals("closed", breaker());
  }

  @Test
  void lostProbeFreesItsSlotAfterTheWaitDuration() {
    open();
    scheduler.advance(Duration.ofSeconds(10));
    assertTrue(gate().tryAdmit(pick()));
    ticker.advance(Duration.ofMillis(9_999));
    assertFalse(gate().tryAdmit(pick()));
    ticker.advance(Duration.ofMillis(1));
    assertTrue(gate().tryAdmit(pick()));
  }

  @Test
  void cancelledCallsAreIgnored() {
    start(CircuitBreakers.builder().slidingWindowSize(4).minimumNumberOfCalls(4));
    report(Outcome.CANCELLED, 100);
    report(Outcome.SERVER_ERROR, 3);
    assertEquals("closed", breaker());
  }

  @Test
  void whenTheCapRefusesTheEjectionTheBreakerClosesAndKeepsMeasuring() {
    control.maxEjected = 0;
    open();
    assertEquals("closed", breaker());
    assertFalse(control.ejected.containsKey(a.id()));
    assertEquals(List.of("refused 10.0.0.1:80: circuit breaker open (failure rate reached 50%)"), control.events);
    control.maxEjected = 1;
    report(Outcome.SERVER_ERROR, 10);
    assertEquals("open", breaker());
  }

  @Test
  void rejectsBadConfigurationNamingFieldAndValue() {
    assertEquals("failureRateThreshold must be in [1, 100], was 0",
        ActiveHealthCheckTest.bad(() -> CircuitBreakers.builder().failureRateThreshold(0).build()));
    assertEquals("minimumNumberOfCalls must be at most slidingWindowSize (20), was 21",
        ActiveHealthCheckTest.bad(() -> CircuitBreakers.builder().minimumNumberOfCalls(21).build()));
    assertEquals("waitDurationInOpenState must be positive, was -1s",
        ActiveHealthCheckTest.bad(() -> CircuitBreakers.builder().waitDurationInOpenState(Duration.ofSeconds(-1)).build()));
    assertEquals("halfOpenProbes must be at least 1, was 0",
        ActiveHealthCheckTest.bad(() -> CircuitBreakers.builder().halfOpenProbes(0).build()));
  }
}
