package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeTicker;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The coarse ticker's contract (never ahead of its source, lag below one period plus the timer's
 * delay, never back) on virtual time, and the shared timer thread's lifecycle. The lifecycle
 * tests wait for the real thread with a bound; nothing asserts a duration.
 */
class CoarseTickerTest {

  private static final long AWAIT_NANOS = TimeUnit.SECONDS.toNanos(20);

  /**
   * The timer as {@link CoarseClockTimer} runs it: it parks one period after each advance and
   * wakes {@code delay} late. The reading is then never ahead of the source, lags it by less than
   * one period plus the delay, and never goes back, whatever the source's steps.
   */
  @Property(tries = 200, seed = "31")
  void readingLagsByLessThanOnePeriodPlusTheTimersDelay(
      @ForAll @Size(min = 1, max = 300) List<@IntRange(min = 0, max = 3_000_000) Integer> steps,
      @ForAll @IntRange(min = 0, max = 200_000) int delay) {
    FakeTicker source = new FakeTicker();
    CoarseTicker coarse = new CoarseTicker(source);
    long lastAdvance = source.nanoTime();
    long previous = coarse.nanoTime();
    for (int step : steps) {
      source.advanceNanos(step);
      if (source.nanoTime() - lastAdvance >= CoarseClockTimer.PERIOD_NANOS + delay) {
        coarse.advance();
        lastAdvance = source.nanoTime();
      }
      long reading = coarse.nanoTime();
      long lag = source.nanoTime() - reading;
      assertTrue(lag >= 0, "ahead of the source by " + -lag);
      assertTrue(lag < CoarseClockTimer.PERIOD_NANOS + delay, "lag " + lag + " with delay " + delay);
      assertTrue(reading >= previous, "went back from " + previous + " to " + reading);
      previous = reading;
    }
  }

  @Test
  void aSourceThatGoesBackDoesNotMoveTheReadingBack() {
    AtomicLong source = new AtomicLong(1_000);
    CoarseTicker coarse = new CoarseTicker(source::get);
    source.set(5_000);
    coarse.advance();
    source.set(2_000);
    coarse.advance();
    assertEquals(5_000, coarse.nanoTime());
  }

  @Test
  void timerThreadIsNamedDaemonSharedPerSourceAndStopsWhenReleased() throws InterruptedException {
    FakeTicker source = new FakeTicker();
    CoarseTicker first = CoarseClockTimer.acquire(source);
    CoarseTicker second = CoarseClockTimer.acquire(source);
    Thread thread = CoarseClockTimer.thread();
    try {
      assertSame(first, second, "one coarse ticker per source");
      assertNotNull(thread);
      assertEquals(CoarseClockTimer.THREAD_NAME, thread.getName());
      assertTrue(thread.isDaemon());
      // The thread advances the ticker: it catches up with a jump of the source.
      source.advance(java.time.Duration.ofSeconds(5));
      awaitTrue(() -> first.nanoTime() == source.nanoTime(), "the coarse ticker reached the source");
      CoarseClockTimer.release(first);
      assertTrue(thread.isAlive(), "one user is left");
    } finally {
      CoarseClockTimer.release(second);
    }
    thread.join(TimeUnit.NANOSECONDS.toMillis(AWAIT_NANOS));
    assertFalse(thread.isAlive(), "the timer thread ends once no ticker is left");
    assertNull(CoarseClockTimer.thread());
    assertThrows(IllegalStateException.class, () -> CoarseClockTimer.release(first));
  }

  @Test
  void balancerHoldsTheClockUntilClosedAndOnlyWhenItReadsLatency() throws InterruptedException {
    FakeTicker ticker = new FakeTicker();
    List<Server> servers = List.of(Server.of("10.0.0.1", 80), Server.of("10.0.0.2", 80));
    try (LoadBalancer rr = LoadBalancer.builder("rr").servers(servers).ticker(ticker).coarseClock(true).build()) {
      rr.pick().complete(1_000, dev.lbkit.api.Outcome.SUCCESS);
      assertNull(CoarseClockTimer.thread(), "round robin reads no latency, so no clock is needed");
    }
    Thread thread;
    try (LoadBalancer lrt = LoadBalancer.builder("lrt").servers(servers).ticker(ticker).coarseClock(true)
        .algorithm(Algorithms.leastResponseTime().choices(2).build()).build()) {
      thread = CoarseClockTimer.thread();
      assertNotNull(thread, "least response time reads latency through the coarse clock");
      lrt.pick().complete(1_000, dev.lbkit.api.Outcome.SUCCESS);
    }
    thread.join(TimeUnit.NANOSECONDS.toMillis(AWAIT_NANOS));
    assertFalse(thread.isAlive(), "closing the only balancer stops the timer thread");
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + AWAIT_NANOS;
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() - deadline < 0, "timed out waiting until " + what);
      Thread.onSpinWait();
      java.util.concurrent.locks.LockSupport.parkNanos(100_000);
    }
  }
}
