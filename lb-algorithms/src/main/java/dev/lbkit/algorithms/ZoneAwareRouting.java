package dev.lbkit.algorithms;

import dev.lbkit.api.ZoneRouting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Zone-aware routing: the zone stage of the runtime ({@link ZoneRouting}), which splits each
 * priority tier between zones before the algorithm picks a server inside the chosen zone.
 *
 * <p><b>Why here.</b> It lives in {@code lb-algorithms}, next to {@link LoadBalancer}, because
 * the runtime applies its rules in the order tier, zone, algorithm and builds one algorithm
 * picker per zone; {@code lb-discovery}, where servers and their zones come from, may depend on
 * {@code lb-api} only. Sources give servers a zone and a region ({@code Server.zone()}, {@code
 * Server.region()}); this class decides what the client does with them.
 *
 * <p><b>Three modes.</b>
 * <ul>
 *   <li><b>Locality</b> (the default; Envoy's zone-aware routing and locality failover): prefer
 *       the caller's zone; when its pickable capacity (the weight of its pickable servers over
 *       the weight of all of them) falls below the spill threshold (default {@value
 *       #DEFAULT_SPILL_THRESHOLD_PERCENT}%), it keeps {@code capacity / threshold} of the
 *       traffic and the rest spills to the other zones of the caller's region, in proportion
 *       to their pickable weight; when those cannot take it either, to the next region, and so
 *       on, region by region. Servers without a zone or region come last. With {@link
 *       Builder#callerShares}, the local region is split by Envoy's rule instead: the local
 *       zone's share of callers against its share of the region's pickable capacity.
 *   <li><b>Weighted split</b> ({@link Builder#zoneWeights}): a fixed split such as 70/20/10, for
 *       migrations. Each zone's share is scaled by its health as above, then the shares are
 *       normalised, so the share of a zone that goes down moves to the others in proportion.
 *       Zones without a weight (or weight 0) get traffic only when no weighted zone can.
 *   <li><b>Latency</b> ({@link Builder#latencyBased}): each zone's share is its pickable
 *       capacity times {@code (fastest / latency)^exponent}, where a zone's latency is the mean
 *       latency EWMA of its pickable servers, re-read at most once per refresh interval during
 *       picks. A zone without samples counts as the fastest, so it gets probed.
 * </ul>
 *
 * <p><b>Cost.</b> Pick: one random draw and a scan of the cumulative shares (O(zones), a
 * handful), then the zone's algorithm picker; lock-free, no allocation. In latency mode one pick
 * per refresh interval also re-reads the EWMAs of the tier, O(N), without allocating. Rebuild:
 * O(N) to group endpoints plus one algorithm picker per zone.
 *
 * <p><b>Invariants.</b> Only zones with pickable servers are chosen; a zone whose share is 0
 * still serves requests whose avoid set empties the others (the zones are tried in failover
 * order); with every pickable server avoided, the pick throws {@link
 * dev.lbkit.api.AlgorithmContext#noServerAvailable}.
 *
 * <p><b>Example.</b> Local zone {@code a} (10 servers, 4 unhealthy), zone {@code b} (weight 6
 * pickable) and {@code c} (weight 3), all in region {@code r}, threshold 70%: {@code a}'s
 * capacity is 60%, so it keeps 0.6 / 0.7 = 85.7% of the traffic; the other 14.3% goes 2:1 to
 * {@code b} and {@code c} (9.5% and 4.8%).
 *
 * <pre>{@code
 * LoadBalancer lb = LoadBalancer.builder("users")
 *     .source(source)
 *     .zoneRouting(ZoneAwareRouting.builder().localZone("us-east-1a").localRegion("us-east-1").build())
 *     .build();
 * }</pre>
 */
public final class ZoneAwareRouting {

  /**
   * Default spill threshold, 70%: about 1 / 1.4, Envoy's overprovisioning factor. Fleets are
   * provisioned with headroom, so a zone with 70% of its capacity keeps all of its traffic.
   */
  public static final int DEFAULT_SPILL_THRESHOLD_PERCENT = 70;

  /**
   * Default exponent of the latency ratio, 2: a zone twice as slow gets a quarter of the share
   * per unit of capacity, a zone ten times as slow 1%, which keeps its EWMA fresh.
   */
  public static final double DEFAULT_LATENCY_EXPONENT = 2.0;

  /**
   * Default interval between re-reads of the latency EWMAs, 1 s: the EWMAs decay over 10 s
   * (the runtime's default), so a second-old view is current enough, and one O(N) pass per
   * second costs nothing.
   */
  public static final Duration DEFAULT_LATENCY_REFRESH = Duration.ofSeconds(1);

  private ZoneAwareRouting() {}

  /** Returns a builder; locality mode unless {@link Builder#zoneWeights} or {@link Builder#latencyBased} is set. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a zone-aware {@link ZoneRouting}. Settings are validated in {@link #build()};
   * messages name the field and the value. Not thread-safe.
   */
  public static final class Builder {
    private String localZone;
    private String localRegion;
    private int spillThresholdPercent = DEFAULT_SPILL_THRESHOLD_PERCENT;
    private Map<String, Integer> zoneWeights;
    private boolean latencyBased;
    private double latencyExponent = DEFAULT_LATENCY_EXPONENT;
    private Duration latencyRefresh = DEFAULT_LATENCY_REFRESH;
    private List<String> regionOrder = List.of();
    private boolean strict;
    private Set<String> knownZones = Set.of();
    private Map<String, Double> callerShares;

    private Builder() {}

    /** The caller's zone, for example {@code us-east-1a}; required in locality mode. */
    public Builder localZone(String zone) {
      this.localZone = Objects.requireNonNull(zone, "localZone");
      return this;
    }

    /**
     * The caller's region, for example {@code us-east-1}; default the region of the local
     * zone's servers.
     */
    public Builder localRegion(String region) {
      this.localRegion = Objects.requireNonNull(region, "localRegion");
      return this;
    }

    /**
     * Below this share of its capacity pickable, a zone starts to shed traffic to the next
     * zones; in [1, 100]. Default {@value #DEFAULT_SPILL_THRESHOLD_PERCENT}.
     */
    public Builder spillThresholdPercent(int percent) {
      this.spillThresholdPercent = percent;
      return this;
    }

    /**
     * A fixed split between zones, for example {@code a=70, b=20, c=10}; weights are relative
     * and at least 0. Switches to weighted mode.
     */
    public Builder zoneWeights(Map<String, Integer> weights) {
      Objects.requireNonNull(weights, "zoneWeights");
      this.zoneWeights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
      return this;
    }

    /**
     * How the calling fleet is spread over the local region's zones, for example {@code a=0.5,
     * b=0.25, c=0.25}; relative shares, each at least 0, the local zone's positive. Locality mode
     * then splits the local region's traffic as Envoy's zone-aware routing does: when the local
     * zone's share of the region's pickable capacity is at least its share of callers, it keeps
     * all of it; otherwise it keeps {@code capacity share / caller share}, and the rest goes to
     * the other zones in proportion to their surplus ({@code capacity share - caller share}).
     * Without it, the local zone keeps everything while it stays above the spill threshold,
     * which suits callers spread like their servers.
     */
    public Builder callerShares(Map<String, Double> shares) {
      Objects.requireNonNull(shares, "callerShares");
      this.callerShares = Collections.unmodifiableMap(new LinkedHashMap<>(shares));
      return this;
    }

    /** Chooses zones by their latency EWMAs. Switches to latency mode. */
    public Builder latencyBased() {
      this.latencyBased = true;
      return this;
    }

    /**
     * How strongly latency mode prefers faster zones; in [0.5, 10]. Default {@value
     * #DEFAULT_LATENCY_EXPONENT}.
     */
    public Builder latencyExponent(double exponent) {
      this.latencyExponent = exponent;
      return this;
    }

    /** How often latency mode re-reads the EWMAs; positive. Default 1 s. */
    public Builder latencyRefresh(Duration interval) {
      this.latencyRefresh = Objects.requireNonNull(interval, "latencyRefresh");
      return this;
    }

    /**
     * The order in which other regions take traffic when the local region cannot, nearest
     * first; regions not listed follow in name order. Default: name order.
     */
    public Builder regionFailoverOrder(String... regions) {
      this.regionOrder = List.of(regions);
      return this;
    }

    /**
     * The zones this deployment has. Together with {@link #strict}, a local zone outside them
     * is rejected, catching a typo that would otherwise send all traffic cross-zone.
     */
    public Builder zones(String... zones) {
      this.knownZones = Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(zones)));
      return this;
    }

    /**
     * Strict mode: {@link #build()} rejects a local zone that is not one of the known zones
     * ({@link #zones} and the keys of {@link #zoneWeights}). Default false.
     */
    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    /**
     * Validates the settings and builds the routing.
     *
     * @throws IllegalArgumentException naming the field and the value of a bad setting
     */
    public ZoneRouting build() {
      checkNames();
      checkZoneWeights();
      if (!(latencyExponent >= 0.5 && latencyExponent <= 10)) {
        throw new IllegalArgumentException("latencyExponent must be in [0.5, 10], was " + latencyExponent);
      }
      if (latencyRefresh.isZero() || latencyRefresh.isNegative()) {
        throw new IllegalArgumentException("latencyRefresh must be positive, was " + latencyRefresh);
      }
      ZoneRouter.Mode mode = zoneWeights != null ? ZoneRouter.Mode.WEIGHTED
          : latencyBased ? ZoneRouter.Mode.LATENCY : ZoneRouter.Mode.LOCALITY;
      if (mode == ZoneRouter.Mode.LOCALITY && localZone == null) {
        throw new IllegalArgumentException(
            "localZone must be set for locality routing, was null (or use zoneWeights(...) or latencyBased())");
      }
      checkCallerShares(mode);
      checkStrict();
      return new ZoneRouter(
          mode,
          localZone,
          localRegion,
          spillThresholdPercent / 100.0,
          zoneWeights == null ? Map.of() : zoneWeights,
          latencyExponent,
          latencyRefresh.toNanos(),
          new ArrayList<>(regionOrder),
          callerShares == null ? Map.of() : callerShares);
    }
    private void checkNames() {
      if (localZone != null && localZone.isBlank()) {
        throw new IllegalArgumentException("localZone must not be empty, was '" + localZone + "'");
      }
      if (localRegion != null && localRegion.isBlank()) {
        throw new IllegalArgumentException("localRegion must not be empty, was '" + localRegion + "'");
      }
      if (spillThresholdPercent < 1 || spillThresholdPercent > 100) {
        throw new IllegalArgumentException(
            "spillThresholdPercent must be in [1, 100], was " + spillThresholdPercent);
      }
    }

    private void checkZoneWeights() {
      if (zoneWeights == null) {
        return;
      }
      if (latencyBased) {
        throw new IllegalArgumentException(
            "zoneWeights and latencyBased are exclusive, both were set");
      }
      if (zoneWeights.isEmpty()) {
        throw new IllegalArgumentException("zoneWeights must not be empty, was {}");
      }
      long sum = 0;
      for (Map.Entry<String, Integer> e : zoneWeights.entrySet()) {
        if (e.getKey() == null || e.getKey().isBlank()) {
          throw new IllegalArgumentException("zoneWeights keys must be zone names, was '" + e.getKey() + "'");
        }
        Integer w = e.getValue();
        if (w == null || w < 0) {
          throw new IllegalArgumentException(
              "zoneWeights[" + e.getKey() + "] must be >= 0, was " + w);
        }
        sum += w;
      }
      if (sum == 0) {
        throw new IllegalArgumentException("zoneWeights must have a positive weight, was " + zoneWeights);
      }
    }

    private void checkCallerShares(ZoneRouter.Mode mode) {
      if (callerShares == null) {
        return;
      }
      if (mode != ZoneRouter.Mode.LOCALITY) {
        throw new IllegalArgumentException(
            "callerShares applies to locality routing only, was set with " + (latencyBased ? "latencyBased" : "zoneWeights"));
      }
      for (Map.Entry<String, Double> e : callerShares.entrySet()) {
        Double v = e.getValue();
        if (v == null || !(v >= 0) || v.isInfinite()) {
          throw new IllegalArgumentException("callerShares[" + e.getKey() + "] must be a finite number >= 0, was " + v);
        }
      }
      Double local = callerShares.get(localZone);
      if (local == null || local <= 0) {
        throw new IllegalArgumentException(
            "callerShares[" + localZone + "] (the local zone) must be > 0, was " + local);
      }
    }

    private void checkStrict() {
      if (!strict) {
        return;
      }
      Set<String> known = new LinkedHashSet<>(knownZones);
      if (zoneWeights != null) {
        known.addAll(zoneWeights.keySet());
      }
      if (known.isEmpty()) {
        throw new IllegalArgumentException(
            "strict mode needs the known zones, was none: set zones(...) or zoneWeights(...)");
      }
      if (localZone == null) {
        throw new IllegalArgumentException("localZone must be set in strict mode, was null");
      }
      if (!known.contains(localZone)) {
        throw new IllegalArgumentException(
            "localZone must be one of the known zones " + known + " in strict mode, was '" + localZone + "'");
      }
    }
  }
}
