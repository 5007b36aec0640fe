package dev.lbkit.okhttp;

import java.util.concurrent.atomic.LongAdder;

/** Mutable per-cluster counters; {@link #snapshot} copies them. */
final class Counters {
  final String cluster;
  final LongAdder requests = new LongAdder();
  final LongAdder attempts = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder successes = new LongAdder();
  final LongAdder failures = new LongAdder();
  final LongAdder noServer = new LongAdder();
  final LongAdder rateLimited = new LongAdder();
  final LongAdder budgetExhausted = new LongAdder();
  final LongAdder retriesThrottled = new LongAdder();

  Counters(String cluster) {
    this.cluster = cluster;
  }

  /** The counters, with the budget's and the throttle's current levels. */
  ClusterCounters snapshot(RetryBudget budget, RetryThrottle throttle) {
    RetryThrottle.Level level = throttle.level();
    return new ClusterCounters(cluster, requests.sum(), attempts.sum(), retries.sum(), successes.sum(),
        failures.sum(), noServer.sum(), rateLimited.sum(), budgetExhausted.sum(), retriesThrottled.sum(),
        budget.remaining(), level.attempts, level.successes, level.allowsRetry);
  }
}
