package dev.lbkit.api;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** A {@link Scheduler} over a {@link ScheduledExecutorService}; see {@link Scheduler#of}. */
final class ExecutorScheduler implements Scheduler {

  private final ScheduledExecutorService executor;

  ExecutorScheduler(ScheduledExecutorService executor) {
    this.executor = executor;
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    ScheduledFuture<?> f = executor.schedule(task, Math.max(0L, delayNanos), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public String toString() {
    return "Scheduler.of(" + executor + ")";
  }
}
