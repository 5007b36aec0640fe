package dev.lbkit.health;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** A {@link Scheduler} over a {@link ScheduledExecutorService}. */
final class ExecutorScheduler implements Scheduler {

  static final ExecutorScheduler SHARED = new ExecutorScheduler(newSharedExecutor());

  private final ScheduledExecutorService executor;

  ExecutorScheduler(ScheduledExecutorService executor) {
    this.executor = executor;
  }

  private static ScheduledExecutorService newSharedExecutor() {
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = Executors.defaultThreadFactory().newThread(r);
              t.setName("lbkit-health");
              t.setDaemon(true);
              return t;
            });
    // Cancelled re-admission and check timers would otherwise stay queued until they expire.
    e.setRemoveOnCancelPolicy(true);
    return e;
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    ScheduledFuture<?> f = executor.schedule(task, Math.max(0L, delayNanos), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public String toString() {
    return this == SHARED ? "Scheduler.shared()" : "Scheduler.of(" + executor + ")";
  }
}
