package dev.lbkit.examples.integration;

import dev.lbkit.api.Ticker;
import dev.lbkit.discovery.RefreshScheduler;
import dev.lbkit.health.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * Virtual time for end-to-end tests: one clock that is at once the balancer's {@link Ticker},
 * the health mechanisms' {@link Scheduler} and the discovery sources' {@link RefreshScheduler}.
 * Tasks run only when a test calls {@link #advance}, on the test's thread, in due order, with
 * the clock set to each task's due time. Thread-safe: asynchronous health checks may schedule
 * from their own threads.
 */
final class FakeTime implements Ticker, Scheduler, RefreshScheduler {

  private static final class Task {
    final long due;
    final long seq;
    final Runnable runnable;
    volatile boolean cancelled;

    Task(long due, long seq, Runnable runnable) {
      this.due = due;
      this.seq = seq;
      this.runnable = runnable;
    }
  }

  private final PriorityQueue<Task> queue =
      new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
  // Starts away from zero, so "time 0" is never mistaken for "never".
  private long now = Duration.ofHours(1).toNanos();
  private long seq;

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    Task t = enqueue(task, Math.max(0, delayNanos));
    return () -> t.cancelled = true;
  }

  @Override
  public Scheduled schedule(Runnable task, Duration delay) {
    Task t = enqueue(task, Math.max(0, delay.toNanos()));
    return () -> t.cancelled = true;
  }

  private synchronized Task enqueue(Runnable task, long delayNanos) {
    Task t = new Task(now + delayNanos, seq++, task);
    queue.add(t);
    return t;
  }

  /** Runs every task due within {@code d} (tasks they schedule included), then sets now + d. */
  void advance(Duration d) {
    long target;
    synchronized (this) {
      target = now + d.toNanos();
    }
    while (true) {
      Task t;
      synchronized (this) {
        t = queue.peek();
        if (t == null || t.due > target) {
          now = target;
          return;
        }
        queue.poll();
        now = Math.max(now, t.due);
      }
      if (!t.cancelled) {
        t.runnable.run();
      }
    }
  }

  /** Runs the tasks due now. */
  void runDue() {
    advance(Duration.ZERO);
  }
}
