package dev.lbkit.okhttp;

import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import okhttp3.Call;
import okhttp3.Request;
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

  ListenerDispatch(LbEventListener listener) {
    this.listener = listener;
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
