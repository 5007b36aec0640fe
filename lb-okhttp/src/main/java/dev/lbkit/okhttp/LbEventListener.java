package dev.lbkit.okhttp;

import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import okhttp3.Call;
import okhttp3.Request;

/**
 * Receives the balancing decisions of each call: the route, every attempt, every retry and
 * every rejection. Methods run on the calling thread inside the call, so they must be fast;
 * anything they throw is caught and logged. Extend it by overriding only what you need.
 */
public interface LbEventListener {

  /** A listener that ignores every event: the default. */
  LbEventListener NONE = new LbEventListener() {};

  /**
   * The request was routed: to {@code cluster}, or passed through untouched when {@code
   * cluster} is null. {@code reason} names the rule, host match or pass-through.
   */
  default void routeDecided(Call call, Request request, String cluster, String reason) {}

  /** Attempt number {@code attempt} (from 1) starts on {@code server}. */
  default void attemptStarted(Call call, String cluster, Server server, int attempt) {}

  /**
   * Attempt number {@code attempt} ended at the response headers or a failure, with its
   * outcome and its latency to that point.
   */
  default void attemptFinished(
      Call call, String cluster, Server server, int attempt, Outcome outcome, long latencyNanos) {}

  /** A retry will start after {@code backoffNanos}, because of {@code reason}. */
  default void retryScheduled(
      Call call, String cluster, int nextAttempt, long backoffNanos, String reason) {}

  /** lbkit refused the call (no server, strict mode, rate limit, budget, deadline). */
  default void callRejected(Call call, LbException rejection) {}
}
