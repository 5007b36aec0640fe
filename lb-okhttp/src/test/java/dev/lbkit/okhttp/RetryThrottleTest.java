package dev.lbkit.okhttp;

import dev.lbkit.api.internal.RetryBudget;
import dev.lbkit.api.internal.RetryThrottle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Outcome;
import dev.lbkit.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The retry throttle's rule on exact sequences, and the levels it and the budget expose. */
class RetryThrottleTest {

  private static RetryThrottle throttle(int window, int minAttempts, int minSuccessPercent) {
    return RetryPolicy.builder().throttle(window, minAttempts, minSuccessPercent).build().newThrottle();
  }

  /** Records {@code outcomes} one by one and returns the decision after each. */
  private static List<Boolean> decisions(RetryThrottle t, Outcome... outcomes) {
    List<Boolean> out = new ArrayList<>();
    for (Outcome o : outcomes) {
      t.record(o);
      out.add(t.allowsRetry());
    }
    return out;
  }

  @Test
  void aBurstOfFailuresFromOneServerLeavesRetriesOpenWhileAnotherServerLastSucceeded() {
    RetryThrottle t = RetryPolicy.DEFAULT.newThrottle();
    for (int i = 0; i < 40; i++) {
      t.record(Outcome.SUCCESS, "b" + (i % 4));
    }
    for (int i = 0; i < 60; i++) {
      t.record(Outcome.TIMEOUT, "a");
      assertTrue(t.allowsRetry(), "timeouts of one server only, after " + (i + 1));
    }
    assertEquals(0, t.level().successes(), "the window holds only a's timeouts");
  }

  @Test
  void everyServerFailingStillClosesIt() {
    RetryThrottle t = RetryPolicy.DEFAULT.newThrottle();
    for (int i = 0; i < 40; i++) {
      t.record(Outcome.SUCCESS, "s" + (i % 5));
    }
    List<Boolean> allowed = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      t.record(Outcome.SERVER_ERROR, "s" + (i % 5));
      allowed.add(t.allowsRetry());
    }
    // 17 failures bring the window of 20 below 20% successes; by then every server last failed.
    assertEquals(16, allowed.indexOf(false), "closes at the 17th failure: " + allowed);
    assertFalse(allowed.get(19));
  }

  @Test
  void aServerUnseenForTenWindowsNoLongerKeepsItOpen() {
    RetryThrottle t = RetryPolicy.DEFAULT.newThrottle();
    t.record(Outcome.SUCCESS, "gone");
    for (int i = 1; i < 199; i++) {
      t.record(Outcome.SERVER_ERROR, "s" + (i % 3));
    }
    assertTrue(t.allowsRetry(), "199 attempts on: gone's success still counts");
    t.record(Outcome.SERVER_ERROR, "s0");
    t.record(Outcome.SERVER_ERROR, "s1");
    assertFalse(t.allowsRetry(), "200 attempts after it, it no longer does");
  }

  @Test
  void followsTheWorkedExampleOfItsClassComment() {
    RetryThrottle t = throttle(4, 2, 50);
    Outcome f = Outcome.SERVER_ERROR;
    Outcome s = Outcome.SUCCESS;
    assertEquals(List.of(true, false, false, true, true, true, false), decisions(t, f, f, s, s, f, f, f));
    RetryThrottle.Level level = t.level();
    assertEquals(4, level.attempts());
    assertEquals(1, level.successes());
    assertFalse(level.allowsRetry());
  }

  @Test
  void defaultsCloseAfterTenFailuresOnAColdClientAndSeventeenAfterAFullWindowOfSuccesses() {
    RetryThrottle cold = RetryPolicy.DEFAULT.newThrottle();
    for (int i = 1; i <= 9; i++) {
      cold.record(Outcome.CONNECT_FAILURE);
      assertTrue(cold.allowsRetry(), "too few outcomes to judge after " + i);
    }
    cold.record(Outcome.CONNECT_FAILURE);
    assertFalse(cold.allowsRetry());

    RetryThrottle warm = RetryPolicy.DEFAULT.newThrottle();
    for (int i = 0; i < 20; i++) {
      warm.record(Outcome.SUCCESS);
    }
    for (int i = 1; i <= 16; i++) {
      warm.record(Outcome.SERVER_ERROR);
      assertTrue(warm.allowsRetry(), "4 successes of 20 are 20% after " + i + " failures");
    }
    warm.record(Outcome.SERVER_ERROR);
    assertFalse(warm.allowsRetry(), "3 successes of 20 are below 20%");
    // Four successes, from first attempts of a recovered cluster, reopen it.
    for (int i = 1; i <= 3; i++) {
      warm.record(Outcome.SUCCESS);
      assertFalse(warm.allowsRetry(), "3 successes of 20 after " + i);
    }
    warm.record(Outcome.SUCCESS);
    assertTrue(warm.allowsRetry());
  }

  @Test
  void cancelledOutcomesSayNothingAboutTheServers() {
    RetryThrottle t = throttle(4, 2, 50);
    t.record(Outcome.TIMEOUT);
    t.record(Outcome.IO_ERROR);
    assertFalse(t.allowsRetry());
    for (int i = 0; i < 10; i++) {
      t.record(Outcome.CANCELLED);
    }
    assertEquals(2, t.level().attempts());
    assertFalse(t.allowsRetry());
  }

  @Test
  void zeroPercentNeverRefusesAndHundredPercentRefusesAfterAnyFailure() {
    RetryThrottle off = throttle(5, 1, 0);
    for (int i = 0; i < 20; i++) {
      off.record(Outcome.CONNECT_FAILURE);
      assertTrue(off.allowsRetry());
    }
    RetryThrottle strict = throttle(3, 1, 100);
    assertEquals(List.of(true, false, false, false, true),
        decisions(strict, Outcome.SUCCESS, Outcome.SERVER_ERROR, Outcome.SUCCESS, Outcome.SUCCESS, Outcome.SUCCESS));
  }

  /** The ring against a plain model (a deque of the last outcomes), on a long seeded sequence. */
  @Test
  void agreesWithAModelOfTheLastOutcomesOnARandomSequence() {
    SplittableRandom random = new SplittableRandom(13);
    Outcome[] values = Outcome.values();
    for (int[] params : new int[][] {{20, 10, 20}, {7, 3, 60}, {1, 1, 50}, {50, 50, 90}}) {
      RetryThrottle t = throttle(params[0], params[1], params[2]);
      Deque<Boolean> model = new ArrayDeque<>();
      for (int i = 0; i < 5_000; i++) {
        Outcome o = values[random.nextInt(values.length)];
        t.record(o);
        if (o != Outcome.CANCELLED) {
          model.addLast(o == Outcome.SUCCESS);
          if (model.size() > params[0]) {
            model.removeFirst();
          }
        }
        long successes = model.stream().filter(b -> b).count();
        boolean expected = model.size() < params[1] || successes * 100 >= (long) params[2] * model.size();
        assertEquals(expected, t.allowsRetry(), "step " + i + " with " + java.util.Arrays.toString(params));
        assertEquals(successes, t.level().successes());
      }
    }
  }

  @Test
  void budgetRemainingCountsDownAndRefillsWithTheWindow() {
    FakeTicker ticker = new FakeTicker();
    RetryBudget budget = RetryPolicy.builder().budget(30, 1, Duration.ofSeconds(2)).build().newBudget(ticker);
    assertEquals(2, budget.remaining(), "the reserve: 1/s over 2 s");
    for (int i = 0; i < 10; i++) {
      budget.onRequest();
    }
    assertEquals(5, budget.remaining(), "30% of 10 requests plus 2");
    assertTrue(budget.tryRetry());
    assertTrue(budget.tryRetry());
    assertEquals(3, budget.remaining());
    while (budget.tryRetry()) {
      // spends the rest
    }
    assertEquals(0, budget.remaining());
    ticker.advance(Duration.ofSeconds(2));
    assertEquals(2, budget.remaining(), "requests and retries left the window");
  }

  @Test
  void throttleSettingsAreValidatedWithExactMessages() {
    assertEquals("throttleWindow must be in [1, 10000], was 0",
        message(() -> RetryPolicy.builder().throttle(0, 1, 20).build()));
    assertEquals("throttleWindow must be in [1, 10000], was 10001",
        message(() -> RetryPolicy.builder().throttle(10_001, 1, 20).build()));
    assertEquals("throttleMinAttempts must be in [1, throttleWindow 20], was 21",
        message(() -> RetryPolicy.builder().throttle(20, 21, 20).build()));
    assertEquals("throttleMinAttempts must be in [1, throttleWindow 20], was 0",
        message(() -> RetryPolicy.builder().throttle(20, 0, 20).build()));
    assertEquals("throttleMinSuccessPercent must be in [0, 100], was -1",
        message(() -> RetryPolicy.builder().throttle(20, 10, -1).build()));
    assertEquals("throttleMinSuccessPercent must be in [0, 100], was 101",
        message(() -> RetryPolicy.builder().throttle(20, 10, 101).build()));
    RetryPolicy p = RetryPolicy.DEFAULT;
    assertEquals(List.of(20, 10, 20, 30), List.of(p.throttleWindow(), p.throttleMinAttempts(),
        p.throttleMinSuccessPercent(), p.budgetPercent()));
    assertEquals(p, RetryPolicy.builder().throttle(20, 10, 20).build());
    assertFalse(p.equals(RetryPolicy.builder().throttle(20, 10, 21).build()));
    assertTrue(p.toString().endsWith("throttle=20% of the last 20 attempts (after 10)}"), p.toString());
  }

  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }
}
