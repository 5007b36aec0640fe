package dev.lbkit.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeScheduler;
import dev.lbkit.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Outlier detection and active checks together: an active check that passes on an ejected server
 * whose verdict is healthy lifts that server's outlier ejection at once (Envoy's {@code
 * successful_active_health_check_uneject_host}), so a recovered server stops holding an ejection
 * slot that the next failing server needs. The runtime's {@code onActiveCheck} call is made by
 * hand, as the runtime makes it after applying the check's verdict.
 */
class OutlierActiveCheckTest {

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final FakeHealthControl control = new FakeHealthControl(ticker);
  private final Server a = Server.of("10.0.0.1", 80);
  private final Server b = Server.of("10.0.0.2", 80);
  private final Server c = Server.of("10.0.0.3", 80);
  private List<Endpoint> endpoints;
  private HealthInput input;

  private void start(OutlierDetection.Builder builder) {
    input = builder.scheduler(scheduler).build();
    input.start(control);
    endpoints = control.servers(input, a, b, c);
  }

  private void report(int server, Outcome outcome, int times) {
    for (int i = 0; i < times; i++) {
      input.onOutcome(endpoints.get(server), outcome, 1_000_000);
    }
  }

  private boolean ejected(Server s) {
    return control.ejected.containsKey(s.id());
  }

  /** One active check of a server: the verdict it leaves, then the result, as the runtime orders them. */
  private void check(int server, boolean passed, ActiveHealth verdict) {
    Server s = endpoints.get(server).server();
    control.setActive(s, verdict, passed ? "GET /health returned 200" : "GET /health returned 503");
    control.execute(() -> input.onActiveCheck(endpoints.get(server), passed));
  }

  @Test
  void aPassingCheckOnAHealthyVerdictLiftsTheOutlierEjectionAtOnce() {
    start(OutlierDetection.builder());
    report(1, Outcome.SERVER_ERROR, 5);
    assertTrue(ejected(b));
    check(1, false, ActiveHealth.UNHEALTHY);
    assertTrue(ejected(b), "a failed check lifts nothing");
    check(1, true, ActiveHealth.UNHEALTHY);
    assertTrue(ejected(b), "a pass below rise leaves the verdict unhealthy, and lifts nothing");

    check(1, true, ActiveHealth.HEALTHY);

    assertFalse(ejected(b), "re-admitted without waiting for the 10 s ejection time: " + control.events);
    assertNull(control.detail(b, OutlierDetector.DETAIL_EJECTED));
    assertEquals("1", control.detail(b, OutlierDetector.DETAIL_EJECTIONS));
    // The detector counts it as re-admitted: the next streak ejects it again, backed off to 20 s.
    report(1, Outcome.SERVER_ERROR, 5);
    assertTrue(ejected(b));
    assertEquals("ejected for 20s: 5 consecutive failures (last: SERVER_ERROR)",
        control.detail(b, OutlierDetector.DETAIL_EJECTED));
    // The first ejection's re-admission timer was cancelled: 10 s later the second ejection holds.
    scheduler.advance(Duration.ofSeconds(10));
    assertTrue(ejected(b), "the cancelled timer of the first ejection re-admitted it: " + control.events);
    scheduler.advance(Duration.ofSeconds(10));
    assertFalse(ejected(b));
  }

  @Test
  void aCheckThatPassedAllAlongLiftsTheEjectionAtItsNextPass() {
    // A shallow check: /health answers 200 while real calls fail. As in Envoy, its next pass
    // re-admits the server, which is ejected again by its next failures.
    start(OutlierDetection.builder());
    check(1, true, ActiveHealth.HEALTHY);
    report(1, Outcome.SERVER_ERROR, 5);
    assertTrue(ejected(b));
    check(1, true, ActiveHealth.HEALTHY);
    assertFalse(ejected(b));
    report(1, Outcome.SERVER_ERROR, 5);
    assertTrue(ejected(b));
  }

  @Test
  void aRecoveredServerFreesTheOnlyEjectionSlotForTheNextFailingServer() {
    control.maxEjected = 1;
    start(OutlierDetection.builder());
    check(1, false, ActiveHealth.UNHEALTHY);
    report(1, Outcome.SERVER_ERROR, 5);
    assertTrue(ejected(b));
    report(2, Outcome.CONNECT_FAILURE, 5);
    assertFalse(ejected(c), "the cap holds c in");

    check(1, true, ActiveHealth.HEALTHY);
    report(2, Outcome.CONNECT_FAILURE, 5);

    assertFalse(ejected(b));
    assertTrue(ejected(c), "the slot b held is c's now: " + control.events);
  }

  @Test
  void turnedOffTheEjectionRunsItsFullTime() {
    start(OutlierDetection.builder().unejectOnActiveCheckSuccess(false));
    report(1, Outcome.SERVER_ERROR, 5);
    check(1, true, ActiveHealth.HEALTHY);
    assertTrue(ejected(b));
    scheduler.advance(Duration.ofSeconds(10));
    assertFalse(ejected(b));
  }
}
