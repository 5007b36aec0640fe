package dev.lbkit.okhttp;

import dev.lbkit.api.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okio.AsyncTimeout;
import okio.Timeout;

/**
 * The deadline of one call: its start plus OkHttp's call timeout, on the injected clock.
 *
 * <p>The call timeout bounds the whole call: permit waits, every attempt, backoff and redirect
 * hop. Before each attempt the remaining time is checked, and each attempt's connect, read and
 * write timeouts are capped by it ({@link AttemptAddressing}), so no attempt starts after the
 * deadline and none outlives it by much. A wait for a rate-limit permit or a backoff that would
 * end past the deadline is not started.
 *
 * <p>A route may set its own call timeout ({@link CallPolicy}); {@link #rearm} then moves both
 * this deadline and OkHttp's call timer.
 *
 * <p>Immutable; read by the calling thread and, for a failing response body, by the reading one.
 */
final class CallDeadline {
  /** Stands for "no deadline": the call has no timeout. */
  private static final long NONE = Long.MAX_VALUE;

  private final Ticker ticker;
  private final long startNanos;
  private final long deadlineNanos;

  private CallDeadline(Ticker ticker, long startNanos, long deadlineNanos) {
    this.ticker = ticker;
    this.startNanos = startNanos;
    this.deadlineNanos = deadlineNanos;
  }

  /** The deadline of {@code call}, starting now. */
  static CallDeadline start(Call call, Ticker ticker) {
    long start = ticker.nanoTime();
    long timeout = call.timeout().timeoutNanos();
    return new CallDeadline(ticker, start, timeout > 0 ? start + timeout : NONE);
  }

  /**
   * The deadline of {@code call} with {@code timeout} from its start instead, a route's own call
   * timeout, longer or shorter. OkHttp's call timer was entered before any interceptor ran, and
   * reads its timeout only when entered; so the timer is exited and entered again with the time
   * left, on the call's own {@link AsyncTimeout}. When it has fired already the call is cancelled,
   * and this deadline stands. A call whose timeout is not OkHttp's {@code AsyncTimeout} keeps its
   * timer; lbkit's deadline still caps its attempts.
   */
  CallDeadline rearm(Call call, Duration timeout) {
    long deadline = startNanos + timeout.toNanos();
    Timeout t = call.timeout();
    if (t instanceof AsyncTimeout) {
      AsyncTimeout timer = (AsyncTimeout) t;
      if (timer.exit()) {
        return this;
      }
      timer.timeout(Math.max(1, deadline - ticker.nanoTime()), TimeUnit.NANOSECONDS);
      timer.enter();
    }
    return new CallDeadline(ticker, startNanos, deadline);
  }

  /** Nanoseconds left now; {@code Long.MAX_VALUE} when the call has no deadline. */
  long remainingNanos() {
    return remainingNanos(ticker.nanoTime());
  }

  /** Nanoseconds left at {@code nowNanos}; {@code Long.MAX_VALUE} when the call has no deadline. */
  long remainingNanos(long nowNanos) {
    return deadlineNanos == NONE ? Long.MAX_VALUE : deadlineNanos - nowNanos;
  }

  /** Whether no time is left: no attempt may start. */
  boolean passed() {
    return remainingNanos() <= 0;
  }

  /** The refusal of a call to {@code name} (a cluster or a host) whose deadline has passed. */
  static LbException exceeded(String name) {
    return new LbException(LbException.Reason.DEADLINE_EXCEEDED, name,
        name + ": call deadline passed before an attempt could start", null);
  }
}
