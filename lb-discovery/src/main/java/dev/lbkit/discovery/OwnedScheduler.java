package dev.lbkit.discovery;

import dev.lbkit.api.Scheduler;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The default scheduler of a source: one daemon thread of its own, shut down when the source
 * closes. One thread per source is enough, because a source runs one refresh at a time, and it
 * keeps one slow DNS server from delaying another cluster's refreshes. A refresh may block for a
 * whole query timeout, which is why sources never default to a scheduler that other mechanisms
 * share (such as the health mechanisms' single {@code lbkit-health} thread).
 */
final class OwnedScheduler implements Scheduler, AutoCloseable {

  private final ScheduledExecutorService executor;
  private final Scheduler delegate;

  OwnedScheduler(String threadName) {
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
    this.delegate = Scheduler.of(executor);
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    return delegate.schedule(task, delayNanos);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
