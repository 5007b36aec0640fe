package dev.lbkit.simulator.engine;

/**
 * One action scheduled on a {@link VirtualClock}: it runs at {@link #time()}, after every event
 * of an earlier time and after every event of the same time scheduled before it.
 */
public final class Event {
  final long time;
  final long sequence;
  final Runnable action;
  boolean cancelled;

  Event(long time, long sequence, Runnable action) {
    this.time = time;
    this.sequence = sequence;
    this.action = action;
  }

  /** The virtual time at which the event runs, in nanoseconds. */
  public long time() {
    return time;
  }

  /** Cancels the event if it has not run yet; idempotent. */
  public void cancel() {
    cancelled = true;
  }

  /** Whether {@link #cancel} was called. */
  public boolean cancelled() {
    return cancelled;
  }

  /** Orders by time, then by the order of scheduling. */
  boolean before(Event other) {
    return time < other.time || (time == other.time && sequence < other.sequence);
  }

  @Override
  public String toString() {
    return "Event{t=" + time + "ns, #" + sequence + (cancelled ? ", cancelled" : "") + "}";
  }
}
