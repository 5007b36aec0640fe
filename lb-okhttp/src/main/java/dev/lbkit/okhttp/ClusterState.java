package dev.lbkit.okhttp;

import dev.lbkit.api.Picker;

/**
 * One cluster's live state for the life of a wrapped client: its picker, its sticky policy with
 * that policy's live side, its retry budget and its counters.
 *
 * <p>Threading: shared by every call routed to the cluster; each part is thread-safe on its own.
 */
final class ClusterState {
  final String name;
  final Picker picker;
  /** The cluster's sticky policy, or null. */
  final StickyPolicy policy;
  /** The live side of a cookie policy; null without a policy and for a hash policy. */
  final StickyState sticky;
  final RetryBudget budget;
  final Counters counters;

  private ClusterState(String name, Picker picker, StickyPolicy policy, StickyState sticky, RetryBudget budget) {
    this.name = name;
    this.picker = picker;
    this.policy = policy;
    this.sticky = sticky;
    this.budget = budget;
    this.counters = new Counters(name);
  }

  /** The state of cluster {@code name} (a cluster key of {@code config}) balanced by {@code picker}. */
  static ClusterState of(String name, Picker picker, LbConfig config) {
    StickyPolicy policy = config.sticky.get(name);
    StickyState sticky =
        policy == null || policy.kind() == StickyPolicy.Kind.HASH
            ? null
            : new StickyState(policy, name, config.stickySecret, config.ticker, config.cacheExecutor);
    return new ClusterState(name, picker, policy, sticky, new RetryBudget(config.retryPolicy, config.ticker));
  }
}
