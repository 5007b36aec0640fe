package dev.lbkit.okhttp;

import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import java.util.List;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener behind {@link LbEventListener#of}: forwards every event to each of its listeners
 * in order. A listener that throws is logged, and the next still gets the event.
 *
 * <p>Every {@link LbEventListener} method is overridden: a method added there later must be
 * added here, or its events stop at this class.
 *
 * <p>Threading: immutable; called from every calling thread at once.
 */
final class CompositeListener implements LbEventListener {
  private static final Logger log = LoggerFactory.getLogger(CompositeListener.class);

  private final LbEventListener[] parts;

  CompositeListener(List<LbEventListener> parts) {
    this.parts = parts.toArray(new LbEventListener[0]);
  }

  private interface Event {
    void send(LbEventListener l);
  }

  private void each(Event e) {
    for (LbEventListener l : parts) {
      try {
        e.send(l);
      } catch (RuntimeException ex) {
        log.warn("listener {} failed", l, ex);
      }
    }
  }

  @Override
  public void callStarted(Call call, Request request) {
    each(l -> l.callStarted(call, request));
  }

  @Override
  public void callEnded(Call call, Request request, Response response, Throwable failure, long durationNanos) {
    each(l -> l.callEnded(call, request, response, failure, durationNanos));
  }

  @Override
  public void routeDecided(Call call, Request request, String cluster, String reason) {
    each(l -> l.routeDecided(call, request, cluster, reason));
  }

  @Override
  public void attemptStarted(Call call, String cluster, Server server, int attempt) {
    each(l -> l.attemptStarted(call, cluster, server, attempt));
  }

  @Override
  public void attemptSending(LbAttempt attempt, HeaderSetter headers) {
    each(l -> l.attemptSending(attempt, headers));
  }

  @Override
  public void attemptFinished(Call call, String cluster, Server server, int attempt, Outcome outcome,
      long latencyNanos) {
    each(l -> l.attemptFinished(call, cluster, server, attempt, outcome, latencyNanos));
  }

  @Override
  public void attemptEnded(LbAttempt attempt, Outcome outcome, int statusCode, Throwable failure, long latencyNanos) {
    each(l -> l.attemptEnded(attempt, outcome, statusCode, failure, latencyNanos));
  }

  @Override
  public void retryScheduled(Call call, String cluster, int nextAttempt, long backoffNanos, String reason) {
    each(l -> l.retryScheduled(call, cluster, nextAttempt, backoffNanos, reason));
  }

  @Override
  public void retryRefused(Call call, String cluster, int attempt, RetryRefusal refusal) {
    each(l -> l.retryRefused(call, cluster, attempt, refusal));
  }

  @Override
  public void callRejected(Call call, LbException rejection) {
    each(l -> l.callRejected(call, rejection));
  }

  @Override
  public String toString() {
    return List.of(parts).toString();
  }
}
