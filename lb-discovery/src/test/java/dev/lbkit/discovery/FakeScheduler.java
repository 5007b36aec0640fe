package dev.lbkit.discovery;

import dev.lbkit.api.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A scheduler in virtual time: tasks run only when a test advances the clock, on the test's
 * thread. Also the source's ticker.
 */
final class FakeScheduler implements RefreshScheduler, Ticker {

  private static final class Task {
    final long due;
    final long seq;
    final Runnable runnable;
    boolean cancelled;

    Task(long due, long seq, Runnable runnable) {
      this.due = due;
      this.seq = seq;
      this.runnable = runnable;
    }
  }

  private final PriorityQueue<Task> queue =
      new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
  private final List<Duration> delays = new ArrayList<>();
  private long now;
  private long seq;

  @Override
  public synchronized Scheduled schedule(Runnable task, Duration delay) {
    delays.add(delay);
    Task t = new Task(now + delay.toNanos(), seq++, task);
    queue.add(t);
    return () -> {
      synchronized (FakeScheduler.this) {
        t.cancelled = true;
      }
    };
  }

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  /** Runs every task due within {@code d}, in order, then sets the clock to now + d. */
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
        now = t.due;
        if (t.cancelled) {
          continue;
        }
      }
      t.runnable.run();
    }
  }

  /** Runs the tasks due now. */
  void runDue() {
    advance(Duration.ZERO);
  }

  /** The delay of the most recently scheduled task. */
  synchronized Duration lastDelay() {
    return delays.get(delays.size() - 1);
  }

  /** Tasks scheduled and not cancelled nor run. */
  synchronized int pending() {
    int n = 0;
    for (Task t : queue) {
      if (!t.cancelled) {
        n++;
      }
    }
    return n;
  }
}
