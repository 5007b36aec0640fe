package dev.lbkit.discovery;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The default scheduler of a source: one daemon thread of its own, shut down when the source
 * closes. One thread per source is enough, because a source runs one refresh at a time, and it
 * keeps one slow DNS server from delaying another cluster's refreshes.
 */
final class OwnedScheduler implements RefreshScheduler, AutoCloseable {

  private final ScheduledExecutorService executor;
  private final RefreshScheduler delegate;

  OwnedScheduler(String threadName) {
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
    this.delegate = RefreshScheduler.of(executor);
  }

  @Override
  public Scheduled schedule(Runnable task, Duration delay) {
    return delegate.schedule(task, delay);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
