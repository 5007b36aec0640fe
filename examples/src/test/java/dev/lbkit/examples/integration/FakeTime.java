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
    return () -> cancel(t);
  }

  @Override
  public Scheduled schedule(Runnable task, Duration delay) {
    Task t = enqueue(task, Math.max(0, delay.toNanos()));
    return () -> cancel(t);
  }

  private synchronized Task enqueue(Runnable task, long delayNanos) {
    Task t = new Task(now + delayNanos, seq++, task);
    queue.add(t);
    notifyAll();
    return t;
  }

  private synchronized void cancel(Task t) {
    queue.remove(t);
    notifyAll();
  }

  /** Tasks scheduled and neither run nor cancelled. */
  synchronized int pending() {
    return queue.size();
  }

  /**
   * Waits, in real time and at most {@code bound}, until exactly {@code n} tasks are pending and
   * none of them is due within {@code horizon}: asynchronous work (an HTTP health check answered
   * on OkHttp's threads) has finished, cancelled its timeout and scheduled its successor. Fails
   * the test when the bound passes.
   */
  synchronized void awaitQuiet(int n, Duration horizon, Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!quiet(n, horizon)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("expected " + n + " pending tasks, none due within " + horizon + ", within "
            + bound + "; have " + queue.size() + (queue.isEmpty() ? "" : ", next due in "
            + Duration.ofNanos(queue.peek().due - now)));
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  private boolean quiet(int n, Duration horizon) {
    Task next = queue.peek();
    return queue.size() == n && (next == null || next.due - now >= horizon.toNanos());
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
        notifyAll();
        now = Math.max(now, t.due);
      }
      t.runnable.run();
    }
  }

  /** Runs the tasks due now. */
  void runDue() {
    advance(Duration.ZERO);
  }
}
