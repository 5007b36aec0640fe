package dev.lbkit.health;

import dev.lbkit.api.Scheduler;
import java.util.function.Consumer;

/**
 * A task that runs on the control plane every {@code periodNanos} until stopped: outlier
 * detection's window tick and slow start's step.
 *
 * <p>Each run schedules the next one as it ends, so runs never overlap and a slow run delays
 * the next rather than piling runs up. The next run is scheduled even when this one throws
 * (what it throws goes to {@code onFailure}): a periodic evaluation that stopped on one bad
 * server would silently stop protecting all of them. A run that falls due after {@link #stop}
 * does nothing and schedules nothing.
 *
 * <p><b>Threading.</b> {@link #start}, the runs and {@link #stop} are on the control plane;
 * the stopped flag is volatile only so that a run never misses it.
 */
final class RepeatingTick {

  private final String what;
  private final long periodNanos;
  private final Runnable body;
  private final Consumer<RuntimeException> onFailure;

  private volatile boolean stopped;
  // Control plane only.
  private ControlPlaneTimers timers;
  private Scheduler.Cancellable next;

  /**
   * Creates a stopped tick; {@link #start} schedules its first run.
   *
   * @param what names the tick in the log
   * @param periodNanos time from the end of one run to the start of the next
   * @param body the run
   * @param onFailure told what a run throws; the next run is scheduled regardless
   */
  RepeatingTick(String what, long periodNanos, Runnable body, Consumer<RuntimeException> onFailure) {
    this.what = what;
    this.periodNanos = periodNanos;
    this.body = body;
    this.onFailure = onFailure;
  }

  /** Schedules the first run, one period from now. */
  void start(ControlPlaneTimers timers) {
    this.timers = timers;
    scheduleNext();
  }

  /** Cancels the next run; a run already handed to the control plane finds the tick stopped. */
  void stop() {
    stopped = true;
    if (next != null) {
      next.cancel();
    }
  }

  private void scheduleNext() {
    next = timers.schedule(what, this::run, periodNanos);
  }

  private void run() {
    if (stopped) {
      return;
    }
    try {
      body.run();
    } catch (RuntimeException e) {
      onFailure.accept(e);
    } finally {
      if (!stopped) {
        scheduleNext();
      }
    }
  }
}
