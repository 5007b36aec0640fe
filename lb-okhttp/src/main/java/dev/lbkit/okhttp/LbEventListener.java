package dev.lbkit.okhttp;

import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Receives the balancing decisions of each call: the call's start and end, the route, every
 * attempt, every retry and every rejection. Every method has a no-op default, so the interface
 * can grow without breaking implementations (OkHttp's {@code EventListener} model).
 *
 * <p><b>Threading.</b> Methods run on the thread that runs the call (the caller's, or OkHttp's
 * dispatcher's under {@code enqueue()}), inside the call, so they must be fast. The events of one
 * call arrive in order, from one thread: {@link #callStarted} first, {@link #callEnded} last.
 * Anything a method throws is caught and logged, and the call goes on as if it had returned.
 *
 * <p><b>Order of one call.</b> {@code callStarted}, {@code routeDecided}, then per attempt {@code
 * attemptStarted}, {@code attemptSending}, {@code attemptFinished}, {@code attemptEnded}, with
 * {@code retryScheduled} or {@code retryRefused} between attempts, {@code callRejected} when
 * lbkit refuses the call, and {@code callEnded}. A followed redirect repeats the route and the
 * attempts within the same call.
 */
public interface LbEventListener {

  /** A listener that ignores every event: the default. */
  LbEventListener NONE = new LbEventListener() {};

  /**
   * One listener that forwards every event to each of {@code listeners}, in order: for example
   * metrics and an application's own listener. A listener that throws is logged and the next
   * still gets the event. {@link #NONE}s are left out; with none left, returns {@link #NONE}.
   */
  static LbEventListener of(LbEventListener... listeners) {
    List<LbEventListener> parts = new ArrayList<>();
    for (LbEventListener l : listeners) {
      if (Objects.requireNonNull(l, "listener") != NONE) {
        parts.add(l);
      }
    }
    return parts.isEmpty() ? NONE : parts.size() == 1 ? parts.get(0) : new CompositeListener(parts);
  }

  /** Why a retry that was due did not happen, for {@link #retryRefused}. */
  enum RetryRefusal {
    /** The cluster's retry budget was spent. */
    RETRY_BUDGET,
    /** The cluster's retry throttle refused: the cluster as a whole is failing. */
    RETRY_THROTTLE
  }

  /** Sets request headers on an attempt: what {@link #attemptSending} gets, for trace propagation. */
  @FunctionalInterface
  interface HeaderSetter {
    /**
     * Sets header {@code name} to {@code value} on the attempt, replacing any value the request
     * had. {@code Host} is lbkit's and cannot be set.
     *
     * @throws IllegalArgumentException for a name or value OkHttp rejects, or {@code Host}
     */
    void set(String name, String value);
  }

  /**
   * The call starts, before routing: {@code request} is the caller's. Every call that starts
   * also ends ({@link #callEnded}), balanced, passed through or refused.
   */
  default void callStarted(Call call, Request request) {}

  /**
   * The call ended, at the response headers or a failure: with {@code response} (the one handed
   * back; its {@code request()} is the logical request of the last hop) or with {@code failure}
   * (an {@link LbException} when lbkit refused it), never both; {@code durationNanos} since
   * {@link #callStarted}, on the configured ticker.
   */
  default void callEnded(Call call, Request request, Response response, Throwable failure, long durationNanos) {}

  /**
   * The request was routed: to {@code cluster}, or passed through untouched when {@code
   * cluster} is null. {@code reason} names the rule, host match or pass-through.
   */
  default void routeDecided(Call call, Request request, String cluster, String reason) {}

  /** Attempt number {@code attempt} (from 1) starts on {@code server}. */
  default void attemptStarted(Call call, String cluster, Server server, int attempt) {}

  /**
   * The attempt is about to be sent: the listener may add request headers through {@code
   * headers} (a trace context, for example). {@code headers} is valid during this call only.
   * Followed by exactly one {@link #attemptEnded} with the same {@code attempt}.
   */
  default void attemptSending(LbAttempt attempt, HeaderSetter headers) {}

  /**
   * Attempt number {@code attempt} ended at the response headers or a failure, with its
   * outcome and its latency to that point.
   */
  default void attemptFinished(
      Call call, String cluster, Server server, int attempt, Outcome outcome, long latencyNanos) {}

  /**
   * The attempt ended at the response headers or a failure: with {@code statusCode} (-1 when
   * there was no response) or {@code failure} (null when there was a response), its outcome,
   * and its latency to that point. Sent for every attempt that {@link #attemptSending} announced,
   * also when the attempt failed with an unchecked exception.
   */
  default void attemptEnded(LbAttempt attempt, Outcome outcome, int statusCode, Throwable failure, long latencyNanos) {}

  /** A retry will start after {@code backoffNanos}, because of {@code reason}. */
  default void retryScheduled(
      Call call, String cluster, int nextAttempt, long backoffNanos, String reason) {}

  /**
   * A retry was due (attempts, time and an untried server left) but was refused for {@code
   * refusal}: the retry throttle or the retry budget. When the last attempt failed, {@link #callRejected} follows; when it had a retryable
   * status, its response stands.
   */
  default void retryRefused(Call call, String cluster, int attempt, RetryRefusal refusal) {}

  /**
   * lbkit refused the call (no server, strict mode, rate limit, budget, deadline). For {@code
   * NO_SERVER} the cause is usually a {@code NoAvailableServerException}, whose {@code reason()}
   * says why.
   */
  default void callRejected(Call call, LbException rejection) {}
}
