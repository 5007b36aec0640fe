package dev.lbkit.health;

import dev.lbkit.api.Scheduler;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The default {@link Scheduler} of every health mechanism: one daemon thread named {@code
 * lbkit-health}, started on first use and shared by the whole process. One thread suffices
 * because health tasks never block: checks are asynchronous, and state changes go to each
 * balancer's control plane. For that reason it is not offered to server sources, whose refreshes
 * may block for a DNS query timeout.
 */
final class SharedScheduler {

  /** The process-wide instance. */
  static final Scheduler INSTANCE = new Scheduler() {
    private final Scheduler delegate = Scheduler.of(newExecutor());

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
      return delegate.schedule(task, delayNanos);
    }

    @Override
    public String toString() {
      return "the shared lbkit-health scheduler";
    }
  };

  private SharedScheduler() {}

  private static ScheduledThreadPoolExecutor newExecutor() {
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
}
