package dev.lbkit.testing;

import dev.lbkit.api.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that moves only when a test moves it: give it to a {@code LoadBalancer}, a
 * health mechanism or a source in place of {@link Ticker#SYSTEM}, and time passes by {@link
 * #advance}. A {@link FakeScheduler} moves it too, to each task's due time as it runs the task.
 *
 * <pre>{@code
 * FakeTicker ticker = new FakeTicker();
 * LoadBalancer lb = LoadBalancer.builder("users").servers(servers).ticker(ticker).build();
 * ticker.advance(Duration.ofSeconds(30));   // 30 s pass, at once
 * }</pre>
 *
 * <p>Like every ticker it never goes back. It starts at {@link #DEFAULT_START_NANOS}, not at
 * zero, so that code which keeps 0 for "never" sees a real reading.
 *
 * <p><b>Threading.</b> Thread-safe: reads and moves are atomic, and any thread may read the
 * ticker while a test moves it.
 */
public final class FakeTicker implements Ticker {

  /**
   * Where a ticker made with {@link #FakeTicker()} starts: one second. Not zero, because code
   * under test may keep 0 for "never"; small, so that readings in failure messages stay short.
   */
  public static final long DEFAULT_START_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final AtomicLong nanos;

  /** A ticker at {@link #DEFAULT_START_NANOS}. */
  public FakeTicker() {
    this(DEFAULT_START_NANOS);
  }

  /** A ticker at {@code startNanos}; any value, as only differences between readings count. */
  public FakeTicker(long startNanos) {
    this.nanos = new AtomicLong(startNanos);
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  /**
   * Moves the ticker forward by {@code duration}. Runs no scheduled task; use {@link
   * FakeScheduler#advance} for that.
   *
   * @throws IllegalArgumentException when {@code duration} is negative
   */
  public void advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative, was " + duration);
    }
    nanos.addAndGet(duration.toNanos());
  }

  /**
   * Moves the ticker forward by {@code nanos} nanoseconds. Its shape, {@code void (long)}, lets
   * {@code ticker::advanceNanos} stand in for a sleep function, for example {@code lb-okhttp}'s
   * {@code Sleeper}, so that a retry backoff passes in virtual time.
   *
   * @throws IllegalArgumentException when {@code nanos} is negative
   */
  public void advanceNanos(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("nanos must not be negative, was " + nanos);
    }
    this.nanos.addAndGet(nanos);
  }

  /** Moves the ticker to {@code target} unless it is already there or later; returns the reading. */
  long advanceTo(long target) {
    return nanos.accumulateAndGet(target, Math::max);
  }

  @Override
  public String toString() {
    return "FakeTicker(" + nanos.get() + " ns)";
  }
}
