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
 * <p>Each method loops over the listeners itself rather than through a shared helper taking a
 * lambda: a capturing lambda per event was an allocation per event on every call.
 *
 * <p>Threading: immutable; called from every calling thread at once.
 */
final class CompositeListener implements LbEventListener {
  private static final Logger log = LoggerFactory.getLogger(CompositeListener.class);

  private final LbEventListener[] parts;

  CompositeListener(List<LbEventListener> parts) {
    this.parts = parts.toArray(new LbEventListener[0]);
  }

  private static void failed(LbEventListener l, String event, RuntimeException e) {
    log.warn("listener {} failed in {}", l, event, e);
  }

  @Override
  public void callStarted(Call call, Request request) {
    for (LbEventListener l : parts) {
      try {
        l.callStarted(call, request);
      } catch (RuntimeException e) {
        failed(l, "callStarted", e);
      }
    }
  }

  @Override
  public void callEnded(Call call, Request request, Response response, Throwable failure, long durationNanos) {
    for (LbEventListener l : parts) {
      try {
        l.callEnded(call, request, response, failure, durationNanos);
      } catch (RuntimeException e) {
        failed(l, "callEnded", e);
      }
    }
  }

  @Override
  public void routeDecided(Call call, Request request, String cluster, String reason) {
    for (LbEventListener l : parts) {
      try {
        l.routeDecided(call, request, cluster, reason);
      } catch (RuntimeException e) {
        failed(l, "routeDecided", e);
      }
    }
  }

  @Override
  public void attemptStarted(Call call, String cluster, Server server, int attempt) {
    for (LbEventListener l : parts) {
      try {
        l.attemptStarted(call, cluster, server, attempt);
      } catch (RuntimeException e) {
        failed(l, "attemptStarted", e);
      }
    }
  }

  @Override
  public void attemptSending(LbAttempt attempt, HeaderSetter headers) {
    for (LbEventListener l : parts) {
      try {
        l.attemptSending(attempt, headers);
      } catch (RuntimeException e) {
        failed(l, "attemptSending", e);
      }
    }
  }

  @Override
  public void attemptFinished(Call call, String cluster, Server server, int attempt, Outcome outcome,
      long latencyNanos) {
    for (LbEventListener l : parts) {
      try {
        l.attemptFinished(call, cluster, server, attempt, outcome, latencyNanos);
      } catch (RuntimeException e) {
        failed(l, "attemptFinished", e);
      }
    }
  }

  @Override
  public void attemptEnded(LbAttempt attempt, Outcome outcome, int statusCode, Throwable failure, long latencyNanos) {
    for (LbEventListener l : parts) {
      try {
        l.attemptEnded(attempt, outcome, statusCode, failure, latencyNanos);
      } catch (RuntimeException e) {
        failed(l, "attemptEnded", e);
      }
    }
  }

  @Override
  public void retryScheduled(Call call, String cluster, int nextAttempt, long backoffNanos, String reason) {
    for (LbEventListener l : parts) {
      try {
        l.retryScheduled(call, cluster, nextAttempt, backoffNanos, reason);
      } catch (RuntimeException e) {
        failed(l, "retryScheduled", e);
      }
    }
  }

  @Override
  public void retryRefused(Call call, String cluster, int attempt, RetryRefusal refusal) {
    for (LbEventListener l : parts) {
      try {
        l.retryRefused(call, cluster, attempt, refusal);
      } catch (RuntimeException e) {
        failed(l, "retryRefused", e);
      }
    }
  }

  @Override
  public void callRejected(Call call, LbException rejection) {
    for (LbEventListener l : parts) {
      try {
        l.callRejected(call, rejection);
      } catch (RuntimeException e) {
        failed(l, "callRejected", e);
      }
    }
  }

  @Override
  public String toString() {
    return List.of(parts).toString();
  }
}
