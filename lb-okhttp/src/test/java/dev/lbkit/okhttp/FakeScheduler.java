package dev.lbkit.okhttp;

import dev.lbkit.health.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A health scheduler in virtual time: {@link #advance} runs every task that falls due, in due
 * order, on the calling thread, with the ticker set to each task's due time.
 */
final class FakeScheduler implements Scheduler {
  private final Backends.FakeTicker ticker;
  private final PriorityQueue<Task> queue =
      new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
  private long seq;

  FakeScheduler(Backends.FakeTicker ticker) {
    this.ticker = ticker;
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, long delayNanos) {
    Task t = new Task(ticker.nanoTime() + Math.max(0, delayNanos), seq++, task);
    queue.add(t);
    return () -> {
      synchronized (FakeScheduler.this) {
        queue.remove(t);
      }
    };
  }

  /** Runs what is due now. */
  void runDue() {
    advance(Duration.ZERO);
  }

  /** Moves time forward by {@code d}, running due tasks in order. */
  void advance(Duration d) {
    long target = ticker.nanoTime() + d.toNanos();
    while (true) {
      Task t;
      synchronized (this) {
        t = queue.peek();
        if (t == null || t.due > target) {
          break;
        }
        queue.poll();
      }
      ticker.set(Math.max(ticker.nanoTime(), t.due));
      t.task.run();
    }
    ticker.set(Math.max(ticker.nanoTime(), target));
  }

  private static final class Task {
    final long due;
    final long seq;
    final Runnable task;

    Task(long due, long seq, Runnable task) {
      this.due = due;
      this.seq = seq;
      this.task = task;
    }
  }
}
