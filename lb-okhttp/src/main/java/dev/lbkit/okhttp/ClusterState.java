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
 * that policy's live side, its retry budget and throttle, and its counters.
 *
 * <p>Threading: shared by every call routed to the cluster; each part is thread-safe on its own.
 */
final class ClusterState {
  /** The cluster's name as configured: how lbkit names it in counters, events, logs and exceptions. */
  final String name;
  /** The cluster's key ({@link LbConfig#clusterKey}): what rate limits and sticky tokens match on. */
  final String key;
  final Picker picker;
  /** The cluster's sticky policy, or null. */
  final StickyPolicy policy;
  /** The live side of a cookie policy; null without a policy and for a hash policy. */
  final StickyState sticky;
  final RetryBudget budget;
  final RetryThrottle throttle;
  final Counters counters;
  /** The config's call settings with the cluster's policy over them. */
  final CallSettings settings;

  private ClusterState(String name, String key, Picker picker, StickyPolicy policy, StickyState sticky,
      CallSettings settings, RetryBudget budget) {
    this.name = name;
    this.key = key;
    this.settings = settings;
    this.picker = picker;
    this.policy = policy;
    this.sticky = sticky;
    this.budget = budget;
    this.throttle = new RetryThrottle(settings.retryPolicy);
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

  /** The state of the cluster whose key in {@code config} is {@code key}, balanced by {@code picker}. */
  static ClusterState of(String key, Picker picker, LbConfig config) {
    StickyPolicy policy = config.sticky.get(key);
    // Tokens are computed over the key: a cookie stays valid whatever the spelling in another process.
    StickyState sticky =
        policy == null || policy.kind() == StickyPolicy.Kind.HASH
            ? null
            : new StickyState(policy, key, config.stickySecret, config.ticker, config.cacheExecutor, members(picker));
    CallSettings settings = CallSettings.of(config).with(config.callPolicies.get(key));
    // One budget and one throttle per cluster, sized by the cluster's own retry policy; its rules'
    // retries draw on them too.
    return new ClusterState(config.displayName(key), key, picker, policy, sticky, settings,
        new RetryBudget(settings.retryPolicy, config.ticker));
  }
}
