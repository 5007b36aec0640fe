package dev.lbkit.algorithms;

import dev.lbkit.algorithms.LoadBalancer.PanicMode;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl.AdmissionGate;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Picker;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Server;
import dev.lbkit.api.Ticker;
import dev.lbkit.api.ZoneRouting;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Builds a balancer's immutable {@link Snapshot} from its servers, their published health and
 * admission gates, and the balancer's rules: a pure function, testable without a running
 * balancer. The rules apply in the order {@link LoadBalancer}'s class comment gives: drain,
 * panic, priority tiers, zones, then the algorithm.
 *
 * <p><b>Cost.</b> O(N) to group the servers, plus the algorithm's and the zone routing's own
 * rebuild cost for each tier.
 *
 * <p><b>Threading.</b> Immutable and stateless; {@link #build} reads each endpoint's health once
 * and may run on any thread, though the runtime runs it on the control plane.
 */
final class SnapshotBuilder {

  private final String cluster;
  private final Algorithm algorithm;
  private final ZoneRouting zoneRouting;
  private final Ticker ticker;
  private final RandomSource random;
  private final int panicThresholdPercent;
  private final PanicMode panicMode;
  private final double overprovisioningFactor;

  SnapshotBuilder(
      String cluster,
      Algorithm algorithm,
      ZoneRouting zoneRouting,
      Ticker ticker,
      RandomSource random,
      int panicThresholdPercent,
      PanicMode panicMode,
      double overprovisioningFactor) {
    this.cluster = cluster;
    this.algorithm = algorithm;
    this.zoneRouting = zoneRouting;
    this.ticker = ticker;
    this.random = random;
    this.panicThresholdPercent = panicThresholdPercent;
    this.panicMode = panicMode;
    this.overprovisioningFactor = overprovisioningFactor;
  }

  /** The snapshot of a balancer with no servers yet, or closed: every pick fails with {@code detail}. */
  Snapshot failing(String detail) {
    SnapshotContext context = new SnapshotContext(cluster, ticker, random, List.of(), List.of());
    return new Snapshot(failingPicker(context, NoAvailableServerException.Reason.NO_SERVERS, detail), context, false, null, 0, 0, List.of(), Map.of(),
        List.of(), new Server[0], new HealthState[0]);
  }

  /**
   * Builds the snapshot of {@code all} (in list order).
   *
   * @param gateOf the combined admission gate of a server id, or null
   * @param wasPanic whether the previous snapshot was in panic: the panic detail is formatted
   *     only when panic holds or changes
   */
  Snapshot build(List<? extends Endpoint> all, Function<String, AdmissionGate> gateOf, boolean wasPanic) {
    Groups g = new Groups(all, gateOf);
    SnapshotContext context = new SnapshotContext(cluster, ticker, random, all, g.pickable);
    boolean panic = !g.judged.isEmpty() && g.pickableShare() * 100.0 < panicThresholdPercent;
    // Formatted only when panic changes or holds: String.format is costly on every rebuild.
    String panicDetail = panic || panic != wasPanic
        ? String.format("panic: %d of %d servers pickable, below the %d%% panic threshold",
            g.pickable.size(), g.judged.size(), panicThresholdPercent)
        : null;
    Picker picker;
    List<? extends Endpoint> offered;
    if (g.nonDraining.isEmpty()) {
      picker = all.isEmpty()
          ? failingPicker(context, NoAvailableServerException.Reason.NO_SERVERS, null)
          : failingPicker(context, NoAvailableServerException.Reason.ALL_DRAINING, "every server is draining");
      offered = List.of();
    } else if (panic && panicMode == PanicMode.FAIL_FAST) {
      picker = failingPicker(context, NoAvailableServerException.Reason.PANIC_FAIL_FAST, panicDetail + "; fail-fast mode");
      offered = List.of();
    } else if (panic) {
      // Spreading ignores active verdicts and tiers, not fresh passive evidence; admission gates
      // still apply.
      List<Endpoint> spread = g.spread();
      g.addGates(spread, gateOf);
      picker = route(spread, spread, context);
      offered = spread;
    } else if (g.pickable.isEmpty()) {
      // No reason given: the counts tell unhealthy from ejected.
      picker = failingPicker(context, null, null);
      offered = List.of();
    } else {
      picker = tiered(g, context);
      offered = g.pickable;
    }
    Map<String, AdmissionGate> gates = Map.copyOf(g.gates);
    if (!gates.isEmpty()) {
      picker = new GatedPicker(picker, gates, context);
    }
    return new Snapshot(picker, context, panic, panicDetail, g.pickable.size(), g.judged.size(), offered, gates,
        all, g.servers, g.health);
  }

  /** Splits the traffic between priority tiers (Envoy's priority levels) by their health. */
  private Picker tiered(Groups g, SnapshotContext context) {
    List<Picker> pickers = new ArrayList<>();
    List<Double> loads = new ArrayList<>();
    double remaining = 1.0;
    double healthSum = 0;
    List<Double> healths = new ArrayList<>();
    for (Map.Entry<Integer, List<Endpoint>> t : g.tierAll.entrySet()) {
      List<Endpoint> pickable = g.tierPickable.get(t.getKey());
      if (pickable == null) {
        continue;
      }
      double health = Math.min(1.0, overprovisioningFactor * pickable.size() / t.getValue().size());
      healths.add(health);
      healthSum += health;
      double load = Math.min(remaining, health);
      remaining -= load;
      loads.add(load);
      pickers.add(route(pickable, t.getValue(), context));
    }
    if (remaining > 1e-9) {
      // Not enough healthy capacity anywhere: split in proportion to each tier's health.
      for (int i = 0; i < loads.size(); i++) {
        loads.set(i, healths.get(i) / healthSum);
      }
    }
    // Tiers that get no traffic stay as fallbacks for requests whose avoid set empties the rest.
    return pickers.size() == 1 ? pickers.get(0) : new TieredPicker(pickers, loads, random, context);
  }

  private Picker route(List<Endpoint> pickable, List<Endpoint> all, SnapshotContext context) {
    Function<List<Endpoint>, Picker> build = list -> algorithm.newPicker(List.copyOf(list), context);
    return zoneRouting.route(List.copyOf(pickable), List.copyOf(all), build, context);
  }

  /** A picker whose every pick fails for {@code reason} (null: the reason the counts show). */
  private static Picker failingPicker(SnapshotContext context, NoAvailableServerException.Reason reason, String detail) {
    return ctx -> {
      throw context.noServerAvailable(ctx, reason, detail);
    };
  }

  /** The servers of one build, grouped by what the rules need. */
  private static final class Groups {
    final List<Endpoint> pickable;
    final List<Endpoint> nonDraining;
    /**
     * Servers with a verdict (or pickable without one): panic judges only these. A server still
     * awaiting its first check while unknownPickable is off is neither good nor bad yet;
     * counting it would put every cold start in panic and spread traffic onto servers the user
     * asked to wait for.
     */
    final List<Endpoint> judged;
    final int[] judgedPerTier = new int[Server.MAX_PRIORITY + 1];
    final TreeMap<Integer, List<Endpoint>> tierAll = new TreeMap<>();
    final TreeMap<Integer, List<Endpoint>> tierPickable = new TreeMap<>();
    final Map<String, AdmissionGate> gates = new HashMap<>();
    /** Each server's configuration and health as read once by this build, in list order. */
    final Server[] servers;
    final HealthState[] health;

    Groups(List<? extends Endpoint> all, Function<String, AdmissionGate> gateOf) {
      pickable = new ArrayList<>(all.size());
      nonDraining = new ArrayList<>(all.size());
      judged = new ArrayList<>(all.size());
      servers = new Server[all.size()];
      health = new HealthState[all.size()];
      int index = 0;
      for (Endpoint ep : all) {
        HealthState h = ep.health();
        servers[index] = ep.server();
        health[index++] = h;
        if (h.draining()) {
          continue;
        }
        nonDraining.add(ep);
        int tier = ep.server().priority();
        if (h.status() != HealthState.Status.UNKNOWN) {
          judged.add(ep);
          judgedPerTier[tier]++;
        }
        tierAll.computeIfAbsent(tier, t -> new ArrayList<>()).add(ep);
        if (h.pickable()) {
          pickable.add(ep);
          tierPickable.computeIfAbsent(tier, t -> new ArrayList<>()).add(ep);
        }
      }
      addGates(pickable, gateOf);
    }

    /**
     * What panic spreads over: the judged servers that no fresh passive evidence rules out. A
     * server is ruled out while passive health ejects it (outlier detection, an open breaker), or
     * while its last real call failed (its consecutive failures are not zero: a refused connect, a
     * 5xx, a timeout), until a success or a passing check. Panic exists for health data that is
     * wrong, as when a broken check fails every server; real calls that just failed are not wrong
     * data, and spreading onto their servers only fails more calls. When every judged server is
     * ruled out, all of them: nothing is known to be better, and trying beats failing every call.
     */
    List<Endpoint> spread() {
      List<Endpoint> spread = new ArrayList<>(judged.size());
      for (Endpoint ep : judged) {
        HealthState h = ep.health();
        if (h.pickable() || (!h.ejected() && ep.consecutiveFailures() == 0)) {
          spread.add(ep);
        }
      }
      return spread.isEmpty() ? judged : spread;
    }

    /** The pickable fraction of the cluster: summed over tiers of judged servers, capped at 1. */
    double pickableShare() {
      double share = 0;
      for (int tier : tierAll.keySet()) {
        if (judgedPerTier[tier] > 0) {
          share += (double) tierPickable.getOrDefault(tier, List.of()).size() / judgedPerTier[tier];
        }
      }
      return Math.min(1.0, share);
    }

    void addGates(List<Endpoint> endpoints, Function<String, AdmissionGate> gateOf) {
      for (Endpoint ep : endpoints) {
        AdmissionGate gate = gateOf.apply(ep.server().id());
        if (gate != null) {
          gates.put(ep.server().id(), gate);
        }
      }
    }
  }
}
