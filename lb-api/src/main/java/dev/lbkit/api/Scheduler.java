package dev.lbkit.api;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Runs delayed tasks for lbkit's mechanisms: health-check timers and timeouts, re-admission
 * timers, periodic evaluation ({@code lb-health}), and server-source refreshes ({@code
 * lb-discovery}). Injected everywhere, so that tests substitute one fake that runs every timer
 * in virtual time ({@code dev.lbkit.testing.FakeScheduler} in {@code lb-testing}).
 *
 * <p><b>Threading.</b> Tasks run on the scheduler's thread, never on the caller's, and must be
 * fast: a task that blocks holds up every other task of the same scheduler. Whoever supplies the
 * instance decides what may block on it. {@code lb-health}'s default is one daemon thread shared
 * by every health mechanism of the process, so its tasks never block (checks are asynchronous and
 * hand their results to the balancer's control plane). {@code lb-discovery}'s default is one
 * thread per source, because a refresh may block for a whole DNS query timeout; never give a
 * source a scheduler whose thread other mechanisms depend on. A task that throws is logged by
 * the mechanism that scheduled it.
 *
 * <p>Implementations are thread-safe: any thread may schedule and cancel.
 */
@FunctionalInterface
public interface Scheduler {

  /**
   * Runs {@code task} once after {@code delayNanos} nanoseconds, at once when not positive.
   *
   * @return a handle that cancels the task if it has not started yet
   */
  Cancellable schedule(Runnable task, long delayNanos);

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {

    /** Cancels the task if it has not started; a running task finishes. Idempotent. */
    void cancel();
  }

  /**
   * A scheduler backed by {@code executor}, which the caller owns and shuts down. Its tasks run
   * on the executor's threads, so the executor decides what may block.
   */
  static Scheduler of(ScheduledExecutorService executor) {
    return new ExecutorScheduler(Objects.requireNonNull(executor, "executor"));
  }
}
