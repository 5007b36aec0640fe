package dev.lbkit.simulator.engine;

import dev.lbkit.api.Ticker;
import java.util.Arrays;

/**
 * Virtual time and the queue of events that moves it: the heart of the discrete-event
 * simulation. Events run one at a time, in order of time and, at equal times, in the order they
 * were scheduled (a sequence number breaks the tie), so a run is a pure function of its inputs
 * and its seed.
 *
 * <p>The clock is also the {@link Ticker} handed to every balancer, so that latency estimates,
 * ejection times and slow-start ramps all live in the same virtual time.
 *
 * <p><b>Cost.</b> The queue is a binary heap in an array: O(log n) to schedule and to run, no
 * allocation beyond the {@link Event} itself. A cancelled event stays in the heap until its
 * time comes, and is then dropped: cancelling is O(1).
 *
 * <p>Not thread-safe: a simulation runs on one thread.
 */
public final class VirtualClock implements Ticker {

  private Event[] heap = new Event[1024];
  private int size;
  private long nextSequence;
  private long now;
  private long executed;

  /** The current virtual time in nanoseconds; starts at 0. */
  public long now() {
    return now;
  }

  @Override
  public long nanoTime() {
    return now;
  }

  /** Events run so far, cancelled ones not counted. */
  public long executed() {
    return executed;
  }

  /** Events waiting, cancelled ones included until their time. */
  public int pending() {
    return size;
  }

  /** Schedules {@code action} {@code delayNanos} from now; a negative delay means now. */
  public Event schedule(long delayNanos, Runnable action) {
    return at(now + Math.max(0L, delayNanos), action);
  }

  /**
   * Schedules {@code action} at virtual time {@code time}.
   *
   * @throws IllegalArgumentException when {@code time} is in the past
   */
  public Event at(long time, Runnable action) {
    if (time < now) {
      throw new IllegalArgumentException("time must not be before now (" + now + "ns), was " + time + "ns");
    }
    Event e = new Event(time, nextSequence++, action);
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    siftUp(size++, e);
    return e;
  }

  /** Runs the next event that is not cancelled; returns false when none is left. */
  public boolean runNext() {
    while (size > 0) {
      Event e = poll();
      if (e.cancelled) {
        continue;
      }
      now = e.time;
      executed++;
      e.action.run();
      return true;
    }
    return false;
  }

  /**
   * Runs every event due at or before {@code time}, then sets the clock to {@code time} (if it
   * is later than now).
   */
  public void runUntil(long time) {
    while (size > 0 && heap[0].time <= time) {
      runNext();
    }
    now = Math.max(now, time);
  }

  /** Runs events until none is left. */
  public void runAll() {
    while (runNext()) {
      // each call runs one event
    }
  }

  private Event poll() {
    Event top = heap[0];
    Event last = heap[--size];
    heap[size] = null;
    if (size > 0) {
      siftDown(0, last);
    }
    return top;
  }

  private void siftUp(int k, Event e) {
    while (k > 0) {
      int parent = (k - 1) >>> 1;
      Event p = heap[parent];
      if (!e.before(p)) {
        break;
      }
      heap[k] = p;
      k = parent;
    }
    heap[k] = e;
  }

  private void siftDown(int k, Event e) {
    int half = size >>> 1;
    while (k < half) {
      int child = 2 * k + 1;
      Event c = heap[child];
      int right = child + 1;
      if (right < size && heap[right].before(c)) {
        child = right;
        c = heap[child];
      }
      if (!c.before(e)) {
        break;
      }
      heap[k] = c;
      k = child;
    }
    heap[k] = e;
  }

  @Override
  public String toString() {
    return "VirtualClock{now=" + now + "ns, pending=" + size + ", executed=" + executed + "}";
  }
}
