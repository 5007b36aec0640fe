package dev.lbkit.discovery;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the refreshes of a server source: file polls and DNS queries. Injected so that tests run
 * refreshes in virtual time, by hand, without sleeping.
 *
 * <p>A source schedules one task at a time and schedules the next one only when the current one
 * has finished, so refreshes of one source never overlap. Tasks may block for as long as a DNS
 * query's timeout; give sources a scheduler whose threads may block.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface RefreshScheduler {

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Scheduled {
    /** Cancels the task if it has not started; a running task finishes. Idempotent. */
    void cancel();
  }

  /**
   * Runs {@code task} once, after {@code delay}.
   *
   * @param task the refresh to run; it catches its own exceptions
   * @param delay zero or positive
   * @return a handle that cancels the task
   */
  Scheduled schedule(Runnable task, Duration delay);

  /**
   * A scheduler backed by {@code executor}. The caller owns the executor: closing a source does
   * not shut it down.
   */
  static RefreshScheduler of(ScheduledExecutorService executor) {
    Objects.requireNonNull(executor, "executor");
    return (task, delay) -> {
      ScheduledFuture<?> f = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }
}
