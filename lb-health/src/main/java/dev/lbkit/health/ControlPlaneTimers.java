package dev.lbkit.health;

import dev.lbkit.api.HealthControl;
import dev.lbkit.api.Scheduler;
import org.slf4j.Logger;

/**
 * Schedules an input's timer tasks to run on the balancer's control plane: when a task falls
 * due, the timer thread only hands it to {@link HealthControl#execute}. What that hand-off
 * throws is logged with the input's logger rather than propagated, so that one failing input
 * cannot kill the timer thread that every input shares.
 *
 * <p><b>Threading.</b> Holds no mutable state; {@link #schedule} may be called from any thread.
 */
final class ControlPlaneTimers {

  private final Scheduler scheduler;
  private final HealthControl control;
  private final Logger log;

  ControlPlaneTimers(Scheduler scheduler, HealthControl control, Logger log) {
    this.scheduler = scheduler;
    this.control = control;
    this.log = log;
  }

  /**
   * Runs {@code task} on the control plane after {@code delayNanos}; {@code what} names the
   * task in the log should the hand-off fail.
   */
  Scheduler.Cancellable schedule(String what, Runnable task, long delayNanos) {
    return scheduler.schedule(() -> guarded(what, () -> control.execute(task)), delayNanos);
  }

  private void guarded(String what, Runnable handOff) {
    try {
      handOff.run();
    } catch (RuntimeException e) {
      log.error("{} failed; it will run again at its next time", what, e);
    }
  }
}
