package dev.lbkit.okhttp;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

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

  /**
   * The cluster's current servers, for balancer cookies issued by another process: read only
   * when a cookie names a server this client has not issued a token for. {@link LbConfig} admits
   * cookie stickiness only over a {@link LoadBalancer}.
   */
  private static Supplier<List<Server>> members(Picker picker) {
    if (!(picker instanceof LoadBalancer)) {
      return List::of;
    }
    LoadBalancer lb = (LoadBalancer) picker;
    return () -> lb.servers().stream().map(ServerView::server).collect(Collectors.toList());
  }

  /** The state of cluster {@code name} (a cluster key of {@code config}) balanced by {@code picker}. */
  static ClusterState of(String name, Picker picker, LbConfig config) {
    StickyPolicy policy = config.sticky.get(name);
    StickyState sticky =
        policy == null || policy.kind() == StickyPolicy.Kind.HASH
            ? null
            : new StickyState(policy, name, config.stickySecret, config.ticker, config.cacheExecutor, members(picker));
    return new ClusterState(name, picker, policy, sticky, new RetryBudget(config.retryPolicy, config.ticker));
  }
}
