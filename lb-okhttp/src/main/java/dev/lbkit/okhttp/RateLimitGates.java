package dev.lbkit.okhttp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Request;

/**
 * Every rate limit of one wrapped client, in the order configured, and the rule that joins them:
 * a call takes one permit from every limit that applies, all or nothing. When one limit refuses
 * (or the wait for it is interrupted), the permits already taken from earlier limits are given
 * back, latest first, so a refused call consumes nothing. See {@link RateLimit}.
 *
 * <p>Threading: immutable list of thread-safe gates; called from every calling thread at once.
 */
final class RateLimitGates {
  private final List<RateLimitGate> gates;

  private RateLimitGates(List<RateLimitGate> gates) {
    this.gates = gates;
  }

  /** The gates of every limit of {@code config}, on its clock, sleeper and cache executor. */
  static RateLimitGates of(LbConfig config) {
    List<RateLimitGate> gates = new ArrayList<>(config.rateLimits.size());
    for (RateLimit limit : config.rateLimits) {
      gates.add(new RateLimitGate(limit, config.ticker, config.sleeper, config.cacheExecutor));
    }
    return new RateLimitGates(List.copyOf(gates));
  }

  /**
   * Takes a permit from every limit that applies to {@code request}, routed to {@code cluster}
   * (a cluster key, or null for pass-through). The permits are kept whatever the call does next.
   *
   * @throws LbException {@link LbException.Reason#RATE_LIMITED} from the first limit that
   *     refused; every permit taken was given back
   * @throws java.io.InterruptedIOException when interrupted while waiting; likewise
   */
  void acquire(Request request, String cluster, CallDeadline deadline) throws IOException {
    List<RateLimitGate.Permit> held = null;
    for (RateLimitGate gate : gates) {
      RateLimitGate.Permit permit;
      try {
        permit = gate.acquire(request, cluster, deadline);
      } catch (IOException e) {
        releaseAll(held);
        throw e;
      }
      if (permit != null) {
        if (held == null) {
          held = new ArrayList<>(gates.size());
        }
        held.add(permit);
      }
    }
  }

  private static void releaseAll(List<RateLimitGate.Permit> held) {
    if (held == null) {
      return;
    }
    for (int i = held.size() - 1; i >= 0; i--) {
      held.get(i).release();
    }
  }

  /** The gates, in the order configured. */
  List<RateLimitGate> gates() {
    return gates;
  }
}
