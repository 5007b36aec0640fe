package dev.lbkit.discovery;

import dev.lbkit.api.Scheduler;
import dev.lbkit.api.ServerSource;
import java.time.Duration;

/**
 * The lifecycle that the file and DNS sources share: {@link #start} once, one scheduled refresh
 * at a time, and {@link #close}, which cancels the next refresh and shuts down the scheduler
 * when the source made its own (no scheduler was given to the builder).
 *
 * <p><b>Threading.</b> The listener, the closed flag and the next refresh are guarded by this
 * object's monitor, which subclasses share: {@link #onStart} runs with it held, and a subclass
 * may hold it across a whole refresh. A refresh schedules the next one when it ends, so
 * refreshes of one source never overlap.
 */
abstract class RefreshingSource implements ServerSource {

  private final Scheduler scheduler;
  private final OwnedScheduler owned;

  // Guarded by this.
  private Listener listener;
  private boolean closed;
  private Scheduler.Cancellable next;

  /**
   * Creates the source's lifecycle.
   *
   * @param scheduler the scheduler given to the builder, or null for one of the source's own
   * @param ownThreadName the thread name of the source's own scheduler
   */
  RefreshingSource(Scheduler scheduler, String ownThreadName) {
    if (scheduler == null) {
      this.owned = new OwnedScheduler(ownThreadName);
      this.scheduler = owned;
    } else {
      this.owned = null;
      this.scheduler = scheduler;
    }
  }

  @Override
  public final synchronized void start(Listener listener) {
    if (this.listener != null) {
      throw new IllegalStateException("start may be called once, was called twice on " + this);
    }
    this.listener = listener;
    if (!closed) {
      onStart();
    }
  }

  /** Begins refreshing, with the monitor held; not called when the source was closed first. */
  abstract void onStart();

  /** Schedules {@code refresh} after {@code delay}, unless the source is closed. */
  final synchronized void scheduleNext(Runnable refresh, Duration delay) {
    if (!closed) {
      next = scheduler.schedule(refresh, saturatedNanos(delay));
    }
  }

  /** {@code delay} in nanoseconds, or {@link Long#MAX_VALUE} (292 years) when longer. */
  static long saturatedNanos(Duration delay) {
    try {
      return delay.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  final synchronized boolean isClosed() {
    return closed;
  }

  /** The listener given to {@link #start}. */
  final synchronized Listener listener() {
    return listener;
  }

  @Override
  public final synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (next != null) {
      next.cancel();
    }
    if (owned != null) {
      owned.close();
    }
  }
}
