package dev.lbkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lbkit.api.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class FakeSchedulerTest {

  private static final long S = 1_000_000_000L;

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final long origin = ticker.nanoTime();
  private final List<String> ran = new CopyOnWriteArrayList<>();

  /** A task that records its name and the virtual time, in seconds since the origin, it ran at. */
  private Runnable record(String name) {
    return () -> ran.add(name + "@" + (ticker.nanoTime() - origin) / (double) S);
  }

  @Test
  void runsTasksInDueOrderWithTheTickerAtEachDueTime() {
    scheduler.schedule(record("c"), 3 * S);
    scheduler.schedule(record("a"), 1 * S);
    scheduler.schedule(record("b"), 2 * S);
    scheduler.advance(Duration.ofMillis(2500));
    assertEquals(List.of("a@1.0", "b@2.0"), ran);
    assertEquals(origin + 2_500_000_000L, ticker.nanoTime(), "the ticker ends at the target");
    assertEquals(1, scheduler.pending());
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals(List.of("a@1.0", "b@2.0", "c@3.0"), ran);
    assertEquals(0, scheduler.pending());
  }

  @Test
  void tasksDueAtTheSameMomentRunInTheOrderTheyWereScheduled() {
    for (String name : List.of("first", "second", "third")) {
      scheduler.schedule(record(name), S);
    }
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(List.of("first@1.0", "second@1.0", "third@1.0"), ran);
  }

  @Test
  void cancelledTaskNeverRunsAndIsNoLongerPending() {
    Scheduler.Cancellable a = scheduler.schedule(record("a"), S);
    scheduler.schedule(record("b"), 2 * S);
    assertEquals(2, scheduler.pending());
    a.cancel();
    a.cancel(); // idempotent
    assertEquals(1, scheduler.pending());
    scheduler.advance(Duration.ofSeconds(5));
    assertEquals(List.of("b@2.0"), ran);
  }

  @Test
  void cancelAfterTheTaskRanDoesNothing() {
    Scheduler.Cancellable a = scheduler.schedule(record("a"), 0);
    scheduler.runDue();
    a.cancel();
    assertEquals(List.of("a@0.0"), ran);
    assertEquals(0, scheduler.pending());
  }

  @Test
  void taskScheduledByATaskRunsWhenDueWithinTheSameAdvance() {
    // A periodic task, as health checks and refreshes schedule themselves: every 2 s.
    Runnable[] tick = new Runnable[1];
    tick[0] = () -> {
      record("tick").run();
      scheduler.schedule(tick[0], 2 * S);
    };
    scheduler.schedule(tick[0], 0);
    scheduler.schedule(() -> scheduler.schedule(record("now"), 0), 3 * S);
    scheduler.advance(Duration.ofSeconds(5));
    assertEquals(List.of("tick@0.0", "tick@2.0", "now@3.0", "tick@4.0"), ran);
    assertEquals(1, scheduler.pending(), "the tick due at 6 s waits");
  }

  @Test
  void runDueRunsWhatIsDueWithoutMovingTime() {
    scheduler.schedule(record("now"), 0);
    scheduler.schedule(record("negative"), -5);
    scheduler.schedule(record("later"), 1);
    scheduler.runDue();
    assertEquals(List.of("now@0.0", "negative@0.0"), ran);
    assertEquals(origin, ticker.nanoTime());
    assertEquals(1, scheduler.pending());
  }

  @Test
  void tasksMadeOverdueByMovingTheTickerRunAtTheirOwnTurnOnRunDue() {
    scheduler.schedule(record("b"), 2 * S);
    scheduler.schedule(record("a"), S);
    ticker.advance(Duration.ofSeconds(3));
    scheduler.runDue();
    assertEquals(List.of("a@3.0", "b@3.0"), ran, "time never goes back to a due time already passed");
  }

  @Test
  void lastDelayIsTheDelayOfTheMostRecentSchedule() {
    IllegalStateException none = assertThrows(IllegalStateException.class, scheduler::lastDelay);
    assertEquals("nothing was scheduled yet on FakeScheduler(0 pending, at 1000000000 ns)", none.getMessage());
    scheduler.schedule(record("a"), 30 * S);
    scheduler.schedule(record("b"), 5 * S);
    assertEquals(Duration.ofSeconds(5), scheduler.lastDelay());
  }

  @Test
  void advanceUntilStopsWhenTheConditionHoldsAndSaysHowLongItTook() {
    scheduler.schedule(record("a"), 1_500_000_000L);
    Duration took = scheduler.advanceUntil(Duration.ofMillis(100), Duration.ofSeconds(10), () -> !ran.isEmpty());
    assertEquals(Duration.ofMillis(1500), took);
    Duration capped = scheduler.advanceUntil(Duration.ofSeconds(1), Duration.ofSeconds(3), () -> false);
    assertEquals(Duration.ofSeconds(3), capped);
  }

  @Test
  void aThrowingTaskPropagatesAndLeavesLaterTasksQueued() {
    scheduler.schedule(() -> {
      throw new IllegalStateException("boom");
    }, S);
    scheduler.schedule(record("after"), 2 * S);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> scheduler.advance(Duration.ofSeconds(5)));
    assertEquals("boom", e.getMessage());
    assertEquals(1, scheduler.pending());
    scheduler.advance(Duration.ofSeconds(5));
    assertEquals(List.of("after@2.0"), ran);
  }

  @Test
  void awaitQuietReturnsOnceAnotherThreadHasScheduled() throws Exception {
    Thread other = new Thread(() -> scheduler.schedule(record("async"), 10 * S));
    other.start();
    scheduler.awaitQuiet(1, Duration.ofSeconds(9), Duration.ofSeconds(10));
    other.join();
    assertEquals(1, scheduler.pending());
  }

  @Test
  void awaitQuietFailsWithWhatIsQueuedWhenTheBoundPasses() {
    scheduler.schedule(record("a"), S);
    AssertionError e = assertThrows(AssertionError.class,
        () -> scheduler.awaitQuiet(1, Duration.ofSeconds(2), Duration.ofMillis(20)));
    assertEquals("expected 1 pending tasks, none due within PT2S, within PT0.02S; have 1, next due in PT1S", e.getMessage());
  }

  @Test
  void badArgumentsAreRejectedWithTheirValue() {
    IllegalArgumentException back = assertThrows(IllegalArgumentException.class, () -> scheduler.advance(Duration.ofSeconds(-1)));
    assertEquals("duration must not be negative, was PT-1S", back.getMessage());
    IllegalArgumentException step = assertThrows(IllegalArgumentException.class,
        () -> scheduler.advanceUntil(Duration.ZERO, Duration.ofSeconds(1), () -> true));
    assertEquals("step must be positive, was PT0S", step.getMessage());
  }

  @Test
  void ownsATickerWhenGivenNone() {
    FakeScheduler own = new FakeScheduler();
    List<Long> at = new ArrayList<>();
    own.schedule(() -> at.add(own.ticker().nanoTime()), 7);
    own.advance(Duration.ofNanos(10));
    assertEquals(List.of(FakeTicker.DEFAULT_START_NANOS + 7), at);
    assertSame(ticker, scheduler.ticker());
  }
}
