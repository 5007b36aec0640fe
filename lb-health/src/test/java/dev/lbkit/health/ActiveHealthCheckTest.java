package dev.lbkit.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeScheduler;
import dev.lbkit.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ActiveHealthCheckTest {

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final FakeHealthControl control = new FakeHealthControl(ticker);
  private final FakeCheck check = new FakeCheck();
  private final Server a = Server.of("10.0.0.1", 80);

  private HealthInput start(ActiveHealthCheck.Builder b) {
    HealthInput input = b.jitter(Duration.ZERO).scheduler(scheduler).build();
    input.start(control);
    control.servers(input, a);
    return input;
  }

  private ActiveHealth verdict() {
    return control.active.get(a.id());
  }

  private static Duration s(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  @Test
  void newServerIsUnknownUntilItsFirstCheckDecides() {
    start(ActiveHealthCheck.builder(check).interval(s(10)).timeout(s(2)));
    assertNull(verdict());
    assertEquals(0, check.calls.get());
    scheduler.runDue();
    assertEquals(1, check.calls.get());
    assertEquals(ActiveHealth.HEALTHY, verdict());
    assertEquals("ok (1 pass)", control.activeReason.get(a.id()));
  }

  @Test
  void firstFailedCheckMarksUnknownServerUnhealthy() {
    check.mode = FakeCheck.Mode.FAIL;
    start(ActiveHealthCheck.builder(check).interval(s(10)).timeout(s(2)));
    scheduler.runDue();
    assertEquals(ActiveHealth.UNHEALTHY, verdict());
  }

  @Test
  void healthyServerTurnsUnhealthyAfterExactlyFallFailures() {
    start(ActiveHealthCheck.builder(check).interval(s(10)).timeout(s(2)).fall(3).rise(2));
    scheduler.runDue();
    check.mode = FakeCheck.Mode.FAIL;
    scheduler.advance(s(10));
    scheduler.advance(s(10));
    assertEquals(ActiveHealth.HEALTHY, verdict(), "two failures of three");
    scheduler.advance(s(10));
    assertEquals(ActiveHealth.UNHEALTHY, verdict());
    assertEquals("refused (3 failures in a row)", control.activeReason.get(a.id()));
    assertEquals(4, check.calls.get());
  }

  @Test
  void unhealthyServerTurnsHealthyAfterExactlyRisePasses() {
    check.mode = FakeCheck.Mode.FAIL;
    start(ActiveHealthCheck.builder(check).interval(s(10)).timeout(s(2)).fall(3).rise(3));
    scheduler.runDue();
    assertEquals(ActiveHealth.UNHEALTHY, verdict());
    check.mode = FakeCheck.Mode.PASS;
    scheduler.advance(s(20));
    assertEquals(ActiveHealth.UNHEALTHY, verdict(), "two passes of three");
    scheduler.advance(s(10));
    assertEquals(ActiveHealth.HEALTHY, verdict());
  }

  @Test
  void flappingServerNeverChangesStateFasterThanThresholds() {
    start(ActiveHealthCheck.builder(check).interval(s(1)).timeout(Duration.ofMillis(500)).fall(2).rise(2));
    scheduler.runDue();
    // Alternating pass/fail: never two failures or two passes in a row after the first.
    for (int i = 0; i < 50; i++) {
      check.mode = i % 2 == 0 ? FakeCheck.Mode.FAIL : FakeCheck.Mode.PASS;
      scheduler.advance(s(1));
    }
    assertEquals(ActiveHealth.HEALTHY, verdict());
    assertEquals(List.of("active 10.0.0.1:80 HEALTHY: ok (1 pass)"), control.events);
    // Two failures, then alternating: unhealthy and stays so.
    check.mode = FakeCheck.Mode.FAIL;
    scheduler.advance(s(2));
    for (int i = 0; i < 50; i++) {
      check.mode = i % 2 == 0 ? FakeCheck.Mode.PASS : FakeCheck.Mode.FAIL;
      scheduler.advance(s(1));
    }
    assertEquals(ActiveHealth.UNHEALTHY, verdict());
    assertEquals(2, control.events.size());
  }

  /** Detection time for a refusing server is interval x fall, to the nanosecond. */
  @Test
  void aggressivePresetDetectsARefusingServerInTenSeconds() {
    assertEquals(s(10), detectionTime(ActiveHealthCheck.aggressive(check), FakeCheck.Mode.FAIL));
  }

  @Test
  void aggressivePresetDetectsAHungServerInTwelveSeconds() {
    assertEquals(s(12), detectionTime(ActiveHealthCheck.aggressive(check), FakeCheck.Mode.HANG));
    assertTrue(check.hung.stream().allMatch(CompletableFuture::isCancelled), "timed-out checks are cancelled");
  }

  @Test
  void conservativePresetDetectsARefusingServerInNinetySeconds() {
    assertEquals(s(90), detectionTime(ActiveHealthCheck.conservative(check), FakeCheck.Mode.FAIL));
  }

  @Test
  void conservativePresetDetectsAHungServerInOneHundredSeconds() {
    assertEquals(s(100), detectionTime(ActiveHealthCheck.conservative(check), FakeCheck.Mode.HANG));
  }

  /** Healthy at t=0 by a passing check, broken right after it: time until the verdict flips. */
  private Duration detectionTime(ActiveHealthCheck.Builder preset, FakeCheck.Mode broken) {
    start(preset);
    scheduler.runDue();
    assertEquals(ActiveHealth.HEALTHY, verdict());
    check.mode = broken;
    return scheduler.advanceUntil(Duration.ofMillis(1), s(200), () -> verdict() == ActiveHealth.UNHEALTHY);
  }

  @Test
  void hungCheckTimesOutWithoutBlockingOtherServers() {
    Server b = Server.of("10.0.0.2", 80);
    HealthCheck perServer = server -> server.equals(a)
        ? new CompletableFuture<>()
        : CompletableFuture.completedFuture(CheckResult.healthy("ok"));
    HealthInput input = ActiveHealthCheck.builder(perServer).interval(s(5)).timeout(s(2)).jitter(Duration.ZERO)
        .scheduler(scheduler).build();
    input.start(control);
    control.servers(input, a, b);
    scheduler.runDue();
    assertEquals(ActiveHealth.HEALTHY, control.active.get(b.id()));
    assertNull(control.active.get(a.id()));
    scheduler.advance(s(2));
    assertEquals(ActiveHealth.UNHEALTHY, control.active.get(a.id()));
    assertEquals("no answer within 2s (1 failure)", control.activeReason.get(a.id()));
  }

  @Test
  void unhealthyIntervalChecksUnhealthyServersMoreOften() {
    check.mode = FakeCheck.Mode.FAIL;
    start(ActiveHealthCheck.builder(check).interval(s(30)).timeout(s(1)).unhealthyInterval(s(5)));
    scheduler.runDue();
    scheduler.advance(s(30));
    assertEquals(7, check.calls.get());
  }

  @Test
  void checkThatThrowsCountsAsFailure() {
    HealthCheck throwing = server -> {
      throw new IllegalStateException("boom");
    };
    HealthInput input = ActiveHealthCheck.builder(throwing).jitter(Duration.ZERO).scheduler(scheduler).build();
    input.start(control);
    control.servers(input, a);
    scheduler.runDue();
    assertEquals(ActiveHealth.UNHEALTHY, verdict());
    assertEquals("check threw java.lang.IllegalStateException: boom (1 failure)", control.activeReason.get(a.id()));
  }

  @Test
  void failedFutureCountsAsFailureWithItsMessage() {
    HealthCheck failing = server -> CompletableFuture.failedFuture(new java.io.IOException("no route"));
    HealthInput input = ActiveHealthCheck.builder(failing).jitter(Duration.ZERO).scheduler(scheduler).build();
    input.start(control);
    control.servers(input, a);
    scheduler.runDue();
    assertEquals("check failed: no route (1 failure)", control.activeReason.get(a.id()));
  }

  @Test
  void removedServerAndClosedCheckerStopChecking() {
    HealthInput input = start(ActiveHealthCheck.builder(check).interval(s(10)).timeout(s(2)));
    scheduler.runDue();
    control.servers(input);
    scheduler.advance(s(60));
    assertEquals(1, check.calls.get());
    control.servers(input, a);
    scheduler.runDue();
    assertEquals(2, check.calls.get());
    input.close();
    scheduler.advance(s(60));
    assertEquals(2, check.calls.get());
    assertEquals(0, scheduler.pending());
  }

  @Test
  void jitterSpreadsChecksWithinItsBound() {
    HealthInput input = ActiveHealthCheck.builder(check).interval(s(10)).timeout(s(2)).jitter(s(1))
        .scheduler(scheduler).build();
    input.start(control);
    control.servers(input, a);
    scheduler.advance(Duration.ofMillis(9_999));
    assertEquals(1, check.calls.get(), "first check within the jitter, second not before the interval");
    scheduler.advance(Duration.ofMillis(2_001));
    assertEquals(2, check.calls.get(), "second check within interval + two jitters");
  }

  @Test
  void publishesTheLastResultAsDetail() {
    start(ActiveHealthCheck.builder(check).interval(s(10)).timeout(s(2)));
    scheduler.runDue();
    assertEquals("healthy: ok", control.detail(a, ActiveChecker.DETAIL));
  }

  @Test
  void rejectsBadConfigurationNamingFieldAndValue() {
    assertEquals("interval must be positive, was 0ns",
        bad(() -> ActiveHealthCheck.builder(check).interval(Duration.ZERO).build()));
    assertEquals("interval must be positive, was -5s",
        bad(() -> ActiveHealthCheck.builder(check).interval(s(-5)).build()));
    assertEquals("timeout must be shorter than interval (5s), was 5s",
        bad(() -> ActiveHealthCheck.builder(check).interval(s(5)).timeout(s(5)).build()));
    assertEquals("timeout must be shorter than unhealthyInterval (2s), was 3s",
        bad(() -> ActiveHealthCheck.builder(check).unhealthyInterval(s(2)).build()));
    assertEquals("rise must be at least 1, was 0", bad(() -> ActiveHealthCheck.builder(check).rise(0).build()));
    assertEquals("fall must be at least 1, was -1", bad(() -> ActiveHealthCheck.builder(check).fall(-1).build()));
    assertEquals("jitter must not be negative, was -1s",
        bad(() -> ActiveHealthCheck.builder(check).jitter(s(-1)).build()));
  }

  @Test
  void rejectsJitterLongerThanTheInterval() {
    assertEquals("jitter must be at most interval (5s), was 6s",
        bad(() -> ActiveHealthCheck.builder(check).interval(s(5)).timeout(s(1)).jitter(s(6)).build()));
    assertEquals("jitter must be at most interval (30s), was 1m",
        bad(() -> ActiveHealthCheck.conservative(check).jitter(s(60)).build()));
    // Equal is allowed: checks then start every interval to 2 × interval.
    ActiveHealthCheck.builder(check).interval(s(5)).timeout(s(1)).jitter(s(5)).build().close();
  }

  static String bad(Runnable build) {
    return assertThrows(IllegalArgumentException.class, build::run).getMessage();
  }
}
