package dev.lbkit.testing;

import dev.lbkit.api.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * A {@link Scheduler} in virtual time: tasks run only when a test calls {@link #advance} or
 * {@link #runDue}, on the test's thread, in the order they fall due (tasks due at the same
 * moment in the order they were scheduled), with the {@link FakeTicker} set to each task's due
 * time while it runs. A task scheduled by a running task runs in the same call when it falls due
 * within it. One instance serves every lbkit mechanism that takes a scheduler: health checks,
 * outlier detection, circuit breakers, slow start and server-source refreshes.
 *
 * <pre>{@code
 * FakeScheduler scheduler = new FakeScheduler();
 * OutlierDetection detection = OutlierDetection.builder().scheduler(scheduler).build();
 * LoadBalancer lb = LoadBalancer.builder("users").servers(servers)
 *     .ticker(scheduler.ticker()).healthInput(detection).build();
 * // ... five failures eject a server ...
 * scheduler.advance(Duration.ofSeconds(10));   // the ejection time passes; it is re-admitted
 * }</pre>
 *
 * <p>A task that throws propagates out of {@code advance} or {@code runDue} to the test; the
 * tasks after it stay queued. Real schedulers run on a thread of their own, where the mechanism
 * that scheduled the task catches and logs it.
 *
 * <p><b>Threading.</b> Any thread may {@link #schedule} and cancel, for example an asynchronous
 * health check answered on an HTTP client's thread. Run tasks ({@code advance}, {@code runDue},
 * {@code advanceUntil}) from one thread at a time, normally the test's.
 */
public final class FakeScheduler implements Scheduler {

  private final FakeTicker ticker;
  // Guarded by this; notifyAll() on every change, for awaitQuiet.
  private final PriorityQueue<Task> queue =
      new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
  private long seq;
  private Duration lastDelay;

  /** A scheduler with a {@link FakeTicker} of its own, at {@link FakeTicker#DEFAULT_START_NANOS}. */
  public FakeScheduler() {
    this(new FakeTicker());
  }

  /** A scheduler that moves {@code ticker}; give the same ticker to the code under test. */
  public FakeScheduler(FakeTicker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  /** The ticker this scheduler moves; the clock to give to the code under test. */
  public FakeTicker ticker() {
    return ticker;
  }

  /**
   * Queues {@code task} to run {@code delayNanos} after the ticker's current reading (at the
   * current reading when not positive). Nothing runs until a test advances time.
   */
  @Override
  public synchronized Cancellable schedule(Runnable task, long delayNanos) {
    Objects.requireNonNull(task, "task");
    long now = ticker.nanoTime();
    long due = delayNanos <= 0 ? now : (now + delayNanos < now ? Long.MAX_VALUE : now + delayNanos);
    Task t = new Task(due, seq++, task);
    queue.add(t);
    lastDelay = Duration.ofNanos(delayNanos);
    notifyAll();
    return () -> cancel(t);
  }

  private synchronized void cancel(Task t) {
    if (queue.remove(t)) {
      notifyAll();
    }
  }

  /** Runs every task due now, and those they schedule without delay. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /**
   * Moves time forward by {@code duration}, running every task that falls due on the way, in
   * due order, with the ticker set to each one's due time; then sets the ticker to the end.
   *
   * @throws IllegalArgumentException when {@code duration} is negative
   */
  public void advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative, was " + duration);
    }
    long target = ticker.nanoTime() + duration.toNanos();
    while (true) {
      Task t;
      synchronized (this) {
        t = queue.peek();
        if (t == null || t.due > target) {
          break;
        }
        queue.poll();
        notifyAll();
      }
      ticker.advanceTo(t.due);
      t.task.run();
    }
    ticker.advanceTo(target);
  }

  /**
   * Moves time forward in steps of {@code step}, running due tasks, until {@code done} holds or
   * {@code max} has passed. Returns how much time passed: a test's measure of how long
   * something took in virtual time, to within one step.
   */
  public Duration advanceUntil(Duration step, Duration max, BooleanSupplier done) {
    Objects.requireNonNull(done, "done");
    if (step.isZero() || step.isNegative()) {
      throw new IllegalArgumentException("step must be positive, was " + step);
    }
    long start = ticker.nanoTime();
    long limit = max.toNanos();
    while (!done.getAsBoolean() && ticker.nanoTime() - start < limit) {
      advance(step);
    }
    return Duration.ofNanos(ticker.nanoTime() - start);
  }

  /** Tasks scheduled and neither run nor cancelled. */
  public synchronized int pending() {
    return queue.size();
  }

  /**
   * The delay that the most recent {@link #schedule} call asked for: how a test reads what the
   * code under test decided, for example a refresh after a record's TTL.
   *
   * @throws IllegalStateException when nothing was scheduled yet
   */
  public synchronized Duration lastDelay() {
    if (lastDelay == null) {
      throw new IllegalStateException("nothing was scheduled yet on " + this);
    }
    return lastDelay;
  }

  /**
   * Waits in real time, at most {@code bound}, until exactly {@code pending} tasks are queued and
   * none of them is due within {@code horizon}: asynchronous work (an HTTP health check answered
   * on the client's threads) has finished, cancelled its timeout and scheduled its successor.
   *
   * @throws AssertionError when {@code bound} passes first, saying what is queued
   */
  public synchronized void awaitQuiet(int pending, Duration horizon, Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!quiet(pending, horizon)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        Task next = queue.peek();
        throw new AssertionError("expected " + pending + " pending tasks, none due within " + horizon
            + ", within " + bound + "; have " + queue.size()
            + (next == null ? "" : ", next due in " + Duration.ofNanos(next.due - ticker.nanoTime())));
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  private boolean quiet(int pending, Duration horizon) {
    Task next = queue.peek();
    return queue.size() == pending && (next == null || next.due - ticker.nanoTime() >= horizon.toNanos());
  }

  @Override
  public synchronized String toString() {
    return "FakeScheduler(" + queue.size() + " pending, at " + ticker.nanoTime() + " ns)";
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
