package dev.lbkit.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeScheduler;
import dev.lbkit.testing.FakeTicker;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OutlierDetectionTest {

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

  @Test
  void ejectsInlineOnExactlyTheFifthConsecutiveFailure() {
    start(OutlierDetection.builder());
    report(0, Outcome.SERVER_ERROR, 4);
    assertFalse(ejected(a));
    report(0, Outcome.CONNECT_FAILURE, 1);
    assertTrue(ejected(a), "ejected by the reporting call itself, no timer ran");
    assertEquals("5 consecutive failures (last: CONNECT_FAILURE)", control.ejected.get(a.id()));
    assertEquals("1", control.detail(a, OutlierDetector.DETAIL_EJECTIONS));
    assertEquals("ejected for 10s: 5 consecutive failures (last: CONNECT_FAILURE)",
        control.detail(a, OutlierDetector.DETAIL_EJECTED));
  }

  @Test
  void successBreaksTheStreakAndCancelledIsNeutral() {
    start(OutlierDetection.builder().failurePercentageEnabled(false));
    report(0, Outcome.TIMEOUT, 4);
    report(0, Outcome.SUCCESS, 1);
    report(0, Outcome.TIMEOUT, 4);
    assertFalse(ejected(a));
    report(0, Outcome.CANCELLED, 3);
    assertFalse(ejected(a));
    report(0, Outcome.TIMEOUT, 1);
    assertTrue(ejected(a));
  }

  @Test
  void countsOnlyTheConfiguredOutcomes() {
    start(OutlierDetection.builder().consecutiveFailures(3).failureOutcomes(EnumSet.of(Outcome.CONNECT_FAILURE))
        .failurePercentageEnabled(false));
    report(0, Outcome.SERVER_ERROR, 10);
    assertFalse(ejected(a));
    report(0, Outcome.CONNECT_FAILURE, 2);
    report(0, Outcome.SERVER_ERROR, 1); // neutral: neither counts nor breaks the streak
    report(0, Outcome.CONNECT_FAILURE, 1);
    assertTrue(ejected(a));
  }

  @Test
  void ejectionTimeBacksOffAndServerIsReadmittedWhenItExpires() {
    start(OutlierDetection.builder().failurePercentageEnabled(false));
    report(0, Outcome.SERVER_ERROR, 5);
    scheduler.advance(Duration.ofMillis(9_999));
    assertTrue(ejected(a));
    scheduler.advance(Duration.ofMillis(1));
    assertFalse(ejected(a), "re-admitted after exactly 10s");
    assertNull(control.detail(a, OutlierDetector.DETAIL_EJECTED));
    report(0, Outcome.SERVER_ERROR, 5);
    assertTrue(ejected(a));
    scheduler.advance(Duration.ofMillis(19_999));
    assertTrue(ejected(a), "second ejection lasts 20s");
    scheduler.advance(Duration.ofMillis(1));
    assertFalse(ejected(a));
    assertEquals("2", control.detail(a, OutlierDetector.DETAIL_EJECTIONS));
  }

  @Test
  void ejectionTimeIsCappedAtTheMaximum() {
    start(OutlierDetection.builder().failurePercentageEnabled(false).baseEjectionTime(Duration.ofSeconds(10))
        .maxEjectionTime(Duration.ofSeconds(25)));
    Duration[] expected = {Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(25),
        Duration.ofSeconds(25)};
    for (Duration d : expected) {
      report(0, Outcome.SERVER_ERROR, 5);
      assertTrue(ejected(a));
      Duration took = scheduler.advanceUntil(Duration.ofMillis(100), Duration.ofMinutes(5), () -> !ejected(a));
      assertEquals(d, took);
    }
  }

  @Test
  void multiplierDecaysWhileTheServerBehaves() {
    start(OutlierDetection.builder().failurePercentageEnabled(false));
    report(0, Outcome.SERVER_ERROR, 5);
    scheduler.advance(Duration.ofSeconds(10));
    report(0, Outcome.SERVER_ERROR, 5);
    scheduler.advance(Duration.ofSeconds(20));
    assertFalse(ejected(a));
    // Multiplier is 2; two windows of good behaviour bring it back to 0, so the next ejection
    // lasts the base time again.
    scheduler.advance(Duration.ofSeconds(20));
    report(0, Outcome.SERVER_ERROR, 5);
    Duration took = scheduler.advanceUntil(Duration.ofMillis(100), Duration.ofMinutes(5), () -> !ejected(a));
    assertEquals(Duration.ofSeconds(10), took);
  }

  @Test
  void failurePercentageEjectsOnlyWithTheMinimumVolume() {
    start(OutlierDetection.builder().consecutiveFailures(0));
    // 49 requests, 100% failures: below the minimum volume of 50.
    report(0, Outcome.SERVER_ERROR, 49);
    scheduler.advance(Duration.ofSeconds(1));
    assertFalse(ejected(a));
    // 9 successes: 49 of 58 = 84%, below 85%.
    report(0, Outcome.SUCCESS, 9);
    scheduler.advance(Duration.ofSeconds(1));
    assertFalse(ejected(a));
    report(0, Outcome.SERVER_ERROR, 2);
    assertFalse(ejected(a), "percentage is evaluated at the bucket boundary");
    scheduler.advance(Duration.ofSeconds(1));
    assertTrue(ejected(a));
    assertEquals("85% failures over 10s (51 of 60 requests)", control.ejected.get(a.id()));
  }

  @Test
  void slidingWindowForgetsOldFailures() {
    start(OutlierDetection.builder().consecutiveFailures(0).minimumRequests(10));
    report(0, Outcome.SERVER_ERROR, 9);
    scheduler.advance(Duration.ofSeconds(10)); // the nine failures leave the window
    report(0, Outcome.SERVER_ERROR, 1);
    scheduler.advance(Duration.ofSeconds(1));
    assertFalse(ejected(a));
  }

  @Test
  void refusedEjectionIsRetriedAtTheNextMultipleOfTheThreshold() {
    start(OutlierDetection.builder().failurePercentageEnabled(false));
    control.maxEjected = 0;
    report(0, Outcome.SERVER_ERROR, 5);
    assertFalse(ejected(a));
    assertEquals(List.of("refused 10.0.0.1:80: 5 consecutive failures (last: SERVER_ERROR)"), control.events);
    control.maxEjected = 1;
    report(0, Outcome.SERVER_ERROR, 4);
    assertFalse(ejected(a));
    report(0, Outcome.SERVER_ERROR, 1);
    assertEquals("10 consecutive failures (last: SERVER_ERROR)", control.ejected.get(a.id()));
  }

  @Test
  void removedServerIsForgottenAndItsTimerCancelled() {
    start(OutlierDetection.builder().failurePercentageEnabled(false));
    report(0, Outcome.SERVER_ERROR, 5);
    control.servers(input, b, c);
    scheduler.advance(Duration.ofSeconds(30));
    assertEquals(List.of("eject 10.0.0.1:80: 5 consecutive failures (last: SERVER_ERROR)"), control.events);
  }

  @Test
  void tickSurvivesAFailingControlCallAndTriesAgain() {
    start(OutlierDetection.builder().consecutiveFailures(0).minimumRequests(1));
    control.ejectFailure = new IllegalStateException("control failed");
    report(0, Outcome.SERVER_ERROR, 1);
    scheduler.advance(Duration.ofSeconds(1));
    assertFalse(ejected(a));
    scheduler.advance(Duration.ofSeconds(1));
    assertTrue(ejected(a), "the next tick ran and ejected");
  }

  @Test
  void concurrentReportersEjectExactlyOnce() throws Exception {
    start(OutlierDetection.builder().failurePercentageEnabled(false));
    int threads = 8;
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    List<Thread> workers = new java.util.ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        report(0, Outcome.SERVER_ERROR, 1_000);
      });
      w.start();
      workers.add(w);
    }
    go.countDown();
    for (Thread w : workers) {
      w.join(10_000);
    }
    // Exactly one ejection. Its reason names the multiple of the threshold whose task ran first:
    // reporters race to queue them, so under load the task of the 10th failure may run first.
    assertEquals(1, control.events.size(), control.events.toString());
    assertTrue(control.events.get(0).matches(
        "eject 10\\.0\\.0\\.1:80: (5|[1-9][0-9]*[05]) consecutive failures \\(last: SERVER_ERROR\\)"),
        control.events.get(0));
  }

  @Test
  void rejectsBadConfigurationNamingFieldAndValue() {
    assertEquals("failurePercentage must be in [0, 100], was 101",
        ActiveHealthCheckTest.bad(() -> OutlierDetection.builder().failurePercentage(101).build()));
    assertEquals("consecutiveFailures must be at least 0, was -1",
        ActiveHealthCheckTest.bad(() -> OutlierDetection.builder().consecutiveFailures(-1).build()));
    assertEquals("minimumRequests must be at least 1, was 0",
        ActiveHealthCheckTest.bad(() -> OutlierDetection.builder().minimumRequests(0).build()));
    assertEquals("maxEjectionTime must be at least baseEjectionTime (10s), was 5s",
        ActiveHealthCheckTest.bad(() -> OutlierDetection.builder().maxEjectionTime(Duration.ofSeconds(5)).build()));
    assertEquals("window must be positive, was 0ns",
        ActiveHealthCheckTest.bad(() -> OutlierDetection.builder().window(Duration.ZERO).build()));
    assertEquals("failureOutcomes must be non-empty failures only, was [SUCCESS]",
        ActiveHealthCheckTest.bad(() -> OutlierDetection.builder().failureOutcomes(EnumSet.of(Outcome.SUCCESS)).build()));
  }
  @Test
  void failuresReportedAtTheMomentOfReadmissionLeaveDetectorAndRuntimeInAgreement() {
    start(OutlierDetection.builder().failurePercentageEnabled(false));
    control.queueUneject = true; // as the runtime: applied after the re-admitting task
    report(0, Outcome.SERVER_ERROR, 5);
    assertTrue(ejected(a));
    // While the re-admission runs on the control plane, another thread reports five failures:
    // calls that were in flight when the server was ejected.
    control.duringUneject = () -> onAnotherThread(() -> report(0, Outcome.SERVER_ERROR, 5));
    scheduler.advance(Duration.ofSeconds(10));
    control.duringUneject = null;
    assertFalse(ejected(a), "re-admitted");
    assertNull(control.detail(a, OutlierDetector.DETAIL_EJECTED), "the detector knows it was re-admitted");
    report(0, Outcome.SERVER_ERROR, 5);
    assertTrue(ejected(a), "so five new failures eject it again");
    assertEquals("2", control.detail(a, OutlierDetector.DETAIL_EJECTIONS));
  }

  private static void onAnotherThread(Runnable task) {
    Thread t = new Thread(task, "reporter");
    t.start();
    try {
      t.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    assertFalse(t.isAlive(), "the reporting thread finished");
  }
}
