package dev.lbkit.simulator.engine;

import dev.lbkit.api.Scheduler;
import java.util.Objects;

/**
 * lbkit's {@link Scheduler} over a {@link VirtualClock}: outlier detection's windows,
 * ejection timers and slow start's steps run as simulation events, in virtual time.
 */
public final class VirtualScheduler implements Scheduler {

  private final VirtualClock clock;

  /** A scheduler whose tasks run as events of {@code clock}. */
  public VirtualScheduler(VirtualClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    Event e = clock.schedule(delayNanos, task);
    return e::cancel;
  }

  @Override
  public String toString() {
    return "VirtualScheduler{" + clock + "}";
  }
}
