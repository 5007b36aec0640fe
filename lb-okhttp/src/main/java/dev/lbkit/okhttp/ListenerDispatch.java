package dev.lbkit.okhttp;

import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers each balancing event to the configured {@link LbEventListener}, and to the debug log.
 *
 * <p>A listener must be fast and must not throw; when it throws anyway, the exception is logged
 * and the call goes on as if the listener had returned. A listener bug must not fail a call, or
 * reach the uncaught-exception handler under {@code enqueue()}.
 *
 * <p>This class deliberately does not implement {@link LbEventListener}: an event added to that
 * interface later, with its no-op default, would then compile here without being guarded or
 * forwarded. Each event is a method of its own instead.
 *
 * <p>Threading: stateless apart from the listener; called from every calling thread at once.
 */
final class ListenerDispatch {
  private static final Logger log = LoggerFactory.getLogger(ListenerDispatch.class);

  private final LbEventListener listener;
  /** Whether the listener is {@link LbEventListener#NONE}: then no event object is built. */
  private final boolean silent;

  ListenerDispatch(LbEventListener listener) {
    this.listener = listener;
    this.silent = listener == LbEventListener.NONE;
  }

  /**
   * Whether no listener is set: callers skip building the event objects ({@link LbAttempt}) and
   * reading the clock for events.
   */
  boolean silent() {
    return silent;
  }

  /** {@link LbEventListener#callStarted}. */
  void callStarted(Call call, Request request) {
    try {
      listener.callStarted(call, request);
    } catch (RuntimeException e) {
      log.warn("listener {} failed in callStarted", listener, e);
    }
  }

  /** {@link LbEventListener#callEnded}. */
  void callEnded(Call call, Request request, Response response, Throwable failure, long durationNanos) {
    try {
      listener.callEnded(call, request, response, failure, durationNanos);
    } catch (RuntimeException e) {
      log.warn("listener {} failed in callEnded", listener, e);
    }
  }

  /**
   * {@link LbEventListener#attemptSending}; returns the headers the listener set, or null when
   * it set none. A header the listener got wrong is logged and left out; the others stay.
   */
  Headers attemptSending(LbAttempt attempt) {
    HeaderCollector set = new HeaderCollector();
    try {
      listener.attemptSending(attempt, set);
    } catch (RuntimeException e) {
      log.warn("listener {} failed in attemptSending", listener, e);
    }
    return set.headers == null ? null : set.headers.build();
  }

  /**
   * The headers a listener sets for one attempt; one object per attempt, and a header builder
   * only once a header is set.
   */
  private static final class HeaderCollector implements LbEventListener.HeaderSetter {
    Headers.Builder headers;

    @Override
    public void set(String name, String value) {
      if ("Host".equalsIgnoreCase(name)) {
        throw new IllegalArgumentException("the Host header is lbkit's, a listener cannot set it");
      }
      Headers.Builder b = headers == null ? new Headers.Builder() : headers;
      b.set(name, value);
      headers = b;
    }
  }

  /** {@link LbEventListener#attemptEnded}. */
  void attemptEnded(LbAttempt attempt, Outcome outcome, int statusCode, Throwable failure, long latencyNanos) {
    try {
      listener.attemptEnded(attempt, outcome, statusCode, failure, latencyNanos);
    } catch (RuntimeException e) {
      log.warn("listener {} failed in attemptEnded", listener, e);
    }
  }

  /** {@link LbEventListener#retryRefused}. */
  void retryRefused(Call call, String cluster, int attempt, LbEventListener.RetryRefusal refusal) {
    try {
      listener.retryRefused(call, cluster, attempt, refusal);
    } catch (RuntimeException e) {
      log.warn("listener {} failed in retryRefused", listener, e);
    }
  }

  /** {@link LbEventListener#routeDecided}; {@code cluster} is null for a pass-through call. */
  void routeDecided(Call call, Request request, String cluster, String reason) {
    if (log.isDebugEnabled()) {
      log.debug("{} {} -> {} ({})", request.method(), request.url().redact(), cluster == null ? "pass-through" : cluster, reason);
    }
    try {
      listener.routeDecided(call, request, cluster, reason);
    } catch (RuntimeException e) {
      log.warn("listener {} failed in routeDecided", listener, e);
    }
  }

  /** {@link LbEventListener#attemptStarted}. */
  void attemptStarted(Call call, String cluster, Server server, int attempt) {
    if (log.isDebugEnabled()) {
      log.debug("{}: attempt {} on {}", cluster, attempt, server.id());
    }
    try {
      listener.attemptStarted(call, cluster, server, attempt);
    } catch (RuntimeException e) {
      log.warn("listener {} failed in attemptStarted", listener, e);
    }
  }

  /** {@link LbEventListener#attemptFinished}. */
  void attemptFinished(Call call, String cluster, Server server, int attempt, Outcome outcome, long latencyNanos) {
    if (log.isDebugEnabled()) {
      log.debug("{}: attempt {} on {} -> {} in {} us", cluster, attempt, server.id(), outcome, latencyNanos / 1000);
    }
    try {
      listener.attemptFinished(call, cluster, server, attempt, outcome, latencyNanos);
    } catch (RuntimeException e) {
      log.warn("listener {} failed in attemptFinished", listener, e);
    }
  }

  /** {@link LbEventListener#retryScheduled}. */
  void retryScheduled(Call call, String cluster, int nextAttempt, long backoffNanos, String reason) {
    log.debug("{}: retry {} after {}, backoff {} ns", cluster, nextAttempt, reason, backoffNanos);
    try {
      listener.retryScheduled(call, cluster, nextAttempt, backoffNanos, reason);
    } catch (RuntimeException e) {
      log.warn("listener {} failed in retryScheduled", listener, e);
    }
  }

  /**
   * {@link LbEventListener#callRejected}; returns {@code rejection}, so that a refusal reads
   * {@code throw events.callRejected(call, e)}.
   */
  LbException callRejected(Call call, LbException rejection) {
    log.debug("rejected: {}", rejection.getMessage());
    try {
      listener.callRejected(call, rejection);
    } catch (RuntimeException e) {
      log.warn("listener {} failed in callRejected", listener, e);
    }
    return rejection;
  }

  @Override
  public String toString() {
    return listener.toString();
  }
}
