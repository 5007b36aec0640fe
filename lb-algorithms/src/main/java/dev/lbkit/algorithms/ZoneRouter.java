package dev.lbkit.algorithms;

import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.Picker;
import dev.lbkit.api.ZoneRouting;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ZoneRouting} built by {@link ZoneAwareRouting}: at each rebuild, groups a tier's
 * endpoints by zone, computes each zone's share of traffic, and builds one algorithm picker per
 * zone with pickable servers. See {@link ZoneAwareRouting} for the rules and a worked example.
 *
 * <p>Immutable; {@link #route} runs on the runtime's control plane.
 */
final class ZoneRouter implements ZoneRouting {

  /** The key of servers without a zone. */
  static final String NO_ZONE = "";

  /** The three ways of splitting a tier between zones. */
  enum Mode {
    LOCALITY,
    WEIGHTED,
    LATENCY
  }

  private static final Logger log = LoggerFactory.getLogger(ZoneRouter.class);

  /** Shares below this are rounding noise left by subtracting loads. */
  private static final double EPSILON = 1e-9;

  private final Mode mode;
  private final String localZone;
  private final String localRegion;
  private final double threshold;
  private final Map<String, Integer> zoneWeights;
  private final double latencyExponent;
  private final long latencyRefreshNanos;
  private final List<String> regionOrder;
  private final Map<String, Double> callerShares;

  ZoneRouter(
      Mode mode,
      String localZone,
      String localRegion,
      double threshold,
      Map<String, Integer> zoneWeights,
      double latencyExponent,
      long latencyRefreshNanos,
      List<String> regionOrder,
      Map<String, Double> callerShares) {
    this.mode = mode;
    this.localZone = localZone;
    this.localRegion = localRegion;
    this.threshold = threshold;
    this.zoneWeights = zoneWeights;
    this.latencyExponent = latencyExponent;
    this.latencyRefreshNanos = latencyRefreshNanos;
    this.regionOrder = List.copyOf(regionOrder);
    this.callerShares = callerShares;
  }

  /** The endpoints of one zone within one tier. */
  static final class Zone {
    final String name;
    String region;
    long allWeight;
    long pickableWeight;
    final List<Endpoint> pickable = new ArrayList<>();

    Zone(String name) {
      this.name = name;
    }

    /** Pickable capacity over the threshold, capped at 1: 1 means "takes its full share". */
    double health(double threshold) {
      return allWeight == 0 ? 0 : Math.min(1.0, (double) pickableWeight / allWeight / threshold);
    }
  }

  @Override
  public boolean readsLatency() {
    return mode == Mode.LATENCY;
  }

  @Override
  public Picker route(
      List<Endpoint> pickable,
      List<Endpoint> all,
      Function<List<Endpoint>, Picker> algorithm,
      AlgorithmContext context) {
    Map<String, Zone> byName = group(pickable, all);
    List<Zone> live = new ArrayList<>();
    for (Zone z : byName.values()) {
      if (!z.pickable.isEmpty()) {
        live.add(z);
      }
    }
    if (live.size() == 1) {
      return algorithm.apply(live.get(0).pickable);
    }
    Zone[] zones = live.toArray(new Zone[0]);
    double[] shares;
    Integer[] order;
    switch (mode) {
      case WEIGHTED:
        shares = weightedShares(zones);
        order = sortedBy(zones, Comparator.comparingDouble((Integer i) -> -shares[i])
            .thenComparingLong(i -> -zones[i].pickableWeight));
        break;
      case LATENCY:
        shares = new double[zones.length];
        for (int i = 0; i < zones.length; i++) {
          shares[i] = zones[i].pickableWeight * zones[i].health(threshold);
        }
        order = sortedBy(zones, Comparator.comparingDouble((Integer i) -> -shares[i]));
        break;
      default:
        int[] levels = levels(zones, byName);
        shares = localityShares(zones, levels);
        order = sortedBy(zones, Comparator.comparingInt((Integer i) -> levels[i])
            .thenComparingLong(i -> -zones[i].pickableWeight));
        break;
    }
    logShares(zones, shares, context);
    return picker(zones, shares, order, algorithm, context);
  }

  /** The servers grouped by zone, in list order, with each zone's total and pickable weight. */
  private static Map<String, Zone> group(List<Endpoint> pickable, List<Endpoint> all) {
    Map<String, Zone> byName = new LinkedHashMap<>();
    for (Endpoint ep : all) {
      Zone z = zone(byName, ep);
      z.allWeight += ep.server().weight();
    }
    for (Endpoint ep : pickable) {
      Zone z = zone(byName, ep);
      if (z.allWeight == 0) {
        // Not in 'all' (the runtime always includes it; be safe): count it there too.
        z.allWeight += ep.server().weight();
      }
      z.pickable.add(ep);
      z.pickableWeight += ep.server().weight();
    }
    return byName;
  }

  /** One picker per zone, chosen by share, falling back in {@code order}. */
  private Picker picker(
      Zone[] zones, double[] shares, Integer[] order, Function<List<Endpoint>, Picker> algorithm,
      AlgorithmContext context) {
    Picker[] pickers = new Picker[zones.length];
    for (int i = 0; i < zones.length; i++) {
      pickers[i] = algorithm.apply(List.copyOf(zones[i].pickable));
    }
    int[] fallback = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      fallback[i] = order[i];
    }
    if (mode == Mode.LATENCY) {
      Endpoint[][] members = new Endpoint[zones.length][];
      for (int i = 0; i < zones.length; i++) {
        members[i] = zones[i].pickable.toArray(new Endpoint[0]);
      }
      return new ZoneLatencyPicker(pickers, shares, members, fallback, context, latencyExponent, latencyRefreshNanos);
    }
    return new ZonePicker(pickers, shares, fallback, context);
  }

  private void logShares(Zone[] zones, double[] shares, AlgorithmContext context) {
    if (log.isDebugEnabled()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < zones.length; i++) {
        sb.append(i == 0 ? "" : ", ").append(zones[i].name.isEmpty() ? "(no zone)" : zones[i].name)
            .append('=').append(String.format("%.4f", shares[i]));
      }
      log.debug("{}: zone shares ({}): {}", context.cluster(), mode, sb);
    }
  }

  private static Zone zone(Map<String, Zone> byName, Endpoint ep) {
    String name = ep.server().zone().orElse(NO_ZONE);
    Zone z = byName.computeIfAbsent(name, Zone::new);
    if (z.region == null) {
      z.region = ep.server().region().orElse(null);
    }
    return z;
  }

  private static Integer[] sortedBy(Zone[] zones, Comparator<Integer> comparator) {
    Integer[] order = new Integer[zones.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, comparator);
    return order;
  }

  /**
   * Failover levels: 0 the local zone, 1 the other zones of the local region, then one level
   * per other region (configured order first, then by name), then servers without a region.
   */
  private int[] levels(Zone[] zones, Map<String, Zone> byName) {
    String region = localRegion;
    if (region == null) {
      Zone local = byName.get(localZone);
      region = local == null ? null : local.region;
    }
    List<String> others = new ArrayList<>();
    for (Zone z : zones) {
      if (z.region != null && !z.region.equals(region) && !regionOrder.contains(z.region)
          && !others.contains(z.region)) {
        others.add(z.region);
      }
    }
    others.sort(Comparator.naturalOrder());
    List<String> regions = new ArrayList<>(regionOrder);
    regions.addAll(others);
    int[] levels = new int[zones.length];
    for (int i = 0; i < zones.length; i++) {
      Zone z = zones[i];
      if (z.name.equals(localZone)) {
        // With caller shares the whole local region is one level, split by Envoy's rule.
        levels[i] = callerShares.isEmpty() ? 0 : 1;
      } else if (z.region != null && z.region.equals(region)) {
        levels[i] = 1;
      } else if (z.region != null) {
        levels[i] = 2 + regions.indexOf(z.region);
      } else {
        levels[i] = 2 + regions.size();
      }
    }
    return levels;
  }

  /**
   * Each level takes what the levels before it could not, up to its health; within a level,
   * zones share in proportion to their pickable weight. Like the runtime's priority tiers.
   */
  private double[] localityShares(Zone[] zones, int[] levels) {
    int maxLevel = 0;
    for (int l : levels) {
      maxLevel = Math.max(maxLevel, l);
    }
    long[] levelAll = new long[maxLevel + 1];
    long[] levelPickable = new long[maxLevel + 1];
    for (int i = 0; i < zones.length; i++) {
      levelAll[levels[i]] += zones[i].allWeight;
      levelPickable[levels[i]] += zones[i].pickableWeight;
    }
    double[] load = new double[maxLevel + 1];
    double[] health = new double[maxLevel + 1];
    double remaining = 1.0;
    double healthSum = 0;
    for (int l = 0; l <= maxLevel; l++) {
      if (levelAll[l] == 0) {
        continue;
      }
      health[l] = Math.min(1.0, (double) levelPickable[l] / levelAll[l] / threshold);
      healthSum += health[l];
      load[l] = Math.min(remaining, health[l]);
      remaining -= load[l];
    }
    if (remaining > EPSILON) {
      // Not enough healthy capacity anywhere: split in proportion to each level's health.
      for (int l = 0; l <= maxLevel; l++) {
        load[l] = health[l] / healthSum;
      }
    }
    double[] shares = new double[zones.length];
    for (int i = 0; i < zones.length; i++) {
      int l = levels[i];
      shares[i] = levelPickable[l] == 0 ? 0 : load[l] * zones[i].pickableWeight / levelPickable[l];
    }
    if (!callerShares.isEmpty() && maxLevel >= 1) {
      envoySplit(zones, levels, load[1], levelPickable[1], shares);
    }
    return shares;
  }

  /**
   * Envoy's zone-aware split of the local region's load: with {@code up[z]} each zone's share
   * of the region's pickable weight and {@code callers[z]} its share of callers, the local zone
   * keeps everything when {@code up[local] >= callers[local]}, else {@code up[local] /
   * callers[local]} of it; the rest goes to the other zones in proportion to {@code up[z] -
   * callers[z]} where positive.
   */
  private void envoySplit(Zone[] zones, int[] levels, double regionLoad, long regionPickable, double[] shares) {
    int local = -1;
    double callerSum = 0;
    for (int i = 0; i < zones.length; i++) {
      if (levels[i] == 1) {
        callerSum += callerShares.getOrDefault(zones[i].name, 0.0);
        if (zones[i].name.equals(localZone)) {
          local = i;
        }
      }
    }
    if (regionPickable == 0 || callerSum <= 0) {
      return;
    }
    double localUp = local < 0 ? 0 : (double) zones[local].pickableWeight / regionPickable;
    double localCallers = callerShares.getOrDefault(localZone, 0.0) / callerSum;
    if (local >= 0 && localUp >= localCallers) {
      for (int i = 0; i < zones.length; i++) {
        if (levels[i] == 1) {
          shares[i] = i == local ? regionLoad : 0;
        }
      }
      return;
    }
    double keep = localCallers <= 0 ? 0 : localUp / localCallers;
    double surplusSum = 0;
    for (int i = 0; i < zones.length; i++) {
      if (levels[i] == 1 && i != local) {
        double up = (double) zones[i].pickableWeight / regionPickable;
        surplusSum += Math.max(0, up - callerShares.getOrDefault(zones[i].name, 0.0) / callerSum);
      }
    }
    if (surplusSum <= 0) {
      // The local zone has no pickable servers and the others exactly match their callers:
      // keep the split by capacity.
      return;
    }
    for (int i = 0; i < zones.length; i++) {
      if (levels[i] != 1) {
        continue;
      }
      if (i == local) {
        shares[i] = regionLoad * keep;
      } else {
        double up = (double) zones[i].pickableWeight / regionPickable;
        double surplus = Math.max(0, up - callerShares.getOrDefault(zones[i].name, 0.0) / callerSum);
        shares[i] = regionLoad * (1 - keep) * surplus / surplusSum;
      }
    }
  }

  /** Configured weight times health, normalised; without any, pickable weight times health. */
  private double[] weightedShares(Zone[] zones) {
    double[] shares = new double[zones.length];
    double sum = 0;
    for (int i = 0; i < zones.length; i++) {
      shares[i] = zoneWeights.getOrDefault(zones[i].name, 0) * zones[i].health(threshold);
      sum += shares[i];
    }
    if (sum <= 0) {
      for (int i = 0; i < zones.length; i++) {
        shares[i] = zones[i].pickableWeight * zones[i].health(threshold);
      }
    }
    return shares;
  }

  @Override
  public String toString() {
    switch (mode) {
      case WEIGHTED:
        return "ZoneAwareRouting{weighted " + zoneWeights + ", spill below " + Math.round(threshold * 100) + "%}";
      case LATENCY:
        return "ZoneAwareRouting{latency, exponent " + latencyExponent + "}";
      default:
        return "ZoneAwareRouting{locality, local zone " + localZone
            + (localRegion == null ? "" : ", region " + localRegion)
            + (callerShares.isEmpty() ? "" : ", caller shares " + callerShares)
            + ", spill below " + Math.round(threshold * 100) + "%}";
    }
  }
}
