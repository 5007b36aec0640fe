package dev.lbkit.micrometer;

import dev.lbkit.api.HealthState;
import dev.lbkit.api.ServerView;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a balancer's gauges show, computed once from one {@code servers()} call (the views of one
 * published snapshot) and the panic flag: so every gauge that reads the same instance shows one
 * state that existed. A pure function of its inputs; immutable.
 */
final class BalancerState {
  /** The breaker states lb-health publishes in a server's {@code breaker} detail. */
  static final List<String> BREAKER_STATES = List.of("closed", "open", "half-open");
  /** The detail key under which lb-health's circuit breaker publishes its state. */
  static final String BREAKER_DETAIL = "breaker";

  private final Map<HealthState.Status, Integer> byStatus;
  private final int slowStarting;
  private final boolean panic;
  /** Servers per server tag value and breaker state. */
  private final Map<String, Map<String, Integer>> breakers;
  /** When it was computed, on the registry's clock. */
  final long computedAtNanos;

  private BalancerState(Map<HealthState.Status, Integer> byStatus, int slowStarting, boolean panic,
      Map<String, Map<String, Integer>> breakers, long computedAtNanos) {
    this.byStatus = byStatus;
    this.slowStarting = slowStarting;
    this.panic = panic;
    this.breakers = breakers;
    this.computedAtNanos = computedAtNanos;
  }

  /** The state of {@code views}; {@code tags} caps the server tag of the breaker rows. */
  static BalancerState of(List<ServerView> views, boolean panic, ServerTags tags, long nowNanos) {
    Map<HealthState.Status, Integer> byStatus = new EnumMap<>(HealthState.Status.class);
    int slow = 0;
    Map<String, Map<String, Integer>> breakers = new TreeMap<>();
    for (ServerView v : views) {
      HealthState h = v.health();
      byStatus.merge(h.status(), 1, Integer::sum);
      if (h.pickable() && h.weightMultiplier() < 1.0) {
        slow++;
      }
      String breaker = v.details().get(BREAKER_DETAIL);
      if (breaker != null) {
        breakers.computeIfAbsent(tags.tag(v.server().id()), k -> new TreeMap<>())
            .merge(breaker.toLowerCase(Locale.ROOT), 1, Integer::sum);
      }
    }
    return new BalancerState(byStatus, slow, panic, breakers, nowNanos);
  }

  /** Servers whose health has {@code status}. */
  int count(HealthState.Status status) {
    return byStatus.getOrDefault(status, 0);
  }

  /** Pickable servers whose weight is still ramping up (slow start). */
  int slowStarting() {
    return slowStarting;
  }

  boolean panic() {
    return panic;
  }

  /** The server tag values that have a breaker. */
  Set<String> breakerServers() {
    return Collections.unmodifiableSet(breakers.keySet());
  }

  /** Servers under tag value {@code server} whose breaker is in {@code state}. */
  int breakers(String server, String state) {
    Map<String, Integer> m = breakers.get(server);
    return m == null ? 0 : m.getOrDefault(state, 0);
  }
}
