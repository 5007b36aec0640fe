package dev.lbkit.health;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Runs delayed tasks for health mechanisms: check timers, timeouts, re-admission timers and
 * periodic evaluation. Every mechanism takes one, so that one process shares one timer thread
 * and tests substitute a fake that advances virtual time.
 *
 * <p>Tasks must be short and non-blocking: health mechanisms only hand work to the balancer's
 * control plane or start asynchronous I/O from them. A task that throws is logged by the
 * mechanism that scheduled it; periodic mechanisms reschedule themselves regardless.
 *
 * <p>Implementations are thread-safe.
 */
public interface Scheduler {

  /**
   * Runs {@code task} once after {@code delayNanos} nanoseconds (at once when not positive).
   * Returns a handle that cancels it if it has not started yet.
   */
  Cancellable schedule(Runnable task, long delayNanos);

  /** Cancels a scheduled task. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not started; idempotent. */
    void cancel();
  }

  /**
   * The process-wide default: one daemon thread named {@code lbkit-health}, started on first
   * use and shared by every health mechanism. One thread suffices because tasks never block:
   * checks are asynchronous and state changes go to each balancer's control plane.
   */
  static Scheduler shared() {
    return ExecutorScheduler.SHARED;
  }

  /**
   * Wraps an executor the caller owns (and shuts down). Its tasks must tolerate running on the
   * executor's threads.
   */
  static Scheduler of(ScheduledExecutorService executor) {
    return new ExecutorScheduler(Objects.requireNonNull(executor, "executor"));
  }
}
