package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ZoneRouting;
import dev.lbkit.testing.FakeHealthInput;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Zone-aware routing through the real {@link LoadBalancer}, with a seeded random source and a
 * fake clock. Distribution checks allow 6 standard deviations of the binomial count (a false
 * failure chance of about 2e-9 per check) and are deterministic with the fixed seed.
 */
class ZoneAwareRoutingTest {

  private static final int PICKS = 100_000;

  private final AtomicLong now = new AtomicLong();
  private final FakeHealthInput health = new FakeHealthInput();

  private static List<Server> zone(String zone, String region, int count, int weight) {
    List<Server> servers = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      servers.add(Server.builder(zone + i + ".internal", 8080).weight(weight).zone(zone).region(region).build());
    }
    return servers;
  }

  @SafeVarargs
  private static List<Server> concat(List<Server>... lists) {
    List<Server> all = new ArrayList<>();
    for (List<Server> l : lists) {
      all.addAll(l);
    }
    return all;
  }

  private LoadBalancer balancer(List<Server> servers, ZoneRouting routing) {
    return LoadBalancer.builder("users")
        .servers(servers)
        .zoneRouting(routing)
        .healthInput(health)
        .random(RandomSource.seeded(42))
        .ticker(now::get)
        .panicThresholdPercent(0)
        .build();
  }

  private static Map<String, Integer> countZones(LoadBalancer lb, int picks) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(lb.pick().server().zone().orElse("-"), 1, Integer::sum);
    }
    return counts;
  }

  private static void assertShare(Map<String, Integer> counts, String zone, double expected) {
    int observed = counts.getOrDefault(zone, 0);
    double mean = PICKS * expected;
    double sigma = Math.sqrt(PICKS * expected * (1 - expected));
    assertTrue(Math.abs(observed - mean) <= 6 * sigma + 1e-9,
        "zone " + zone + ": expected " + expected + " of " + PICKS + " picks (" + mean + " ± " + 6 * sigma
            + "), got " + observed + "; all counts " + counts);
  }

  @Test
  void healthyLocalZoneTakesAllTraffic() {
    LoadBalancer lb = balancer(
        concat(zone("a", "r", 3, 1), zone("b", "r", 3, 1), zone("c", "r2", 3, 1)),
        ZoneAwareRouting.builder().localZone("a").localRegion("r").build());
    assertEquals(Map.of("a", PICKS), countZones(lb, PICKS));
  }

  @Test
  void roundRobinRunsInsideTheLocalZone() {
    List<Server> a = zone("a", "r", 3, 1);
    LoadBalancer lb = balancer(concat(a, zone("b", "r", 3, 1)),
        ZoneAwareRouting.builder().localZone("a").build());
    Server first = lb.pick().server();
    int start = a.indexOf(first);
    for (int i = 1; i <= 9; i++) {
      assertSame(a.get((start + i) % 3), lb.pick().server(), "round robin within zone a, pick " + i);
    }
  }

  @Test
  void degradedLocalZoneSpillsInProportionToOtherZonesCapacity() {
    List<Server> a = zone("a", "r", 10, 1);
    LoadBalancer lb = balancer(concat(a, zone("b", "r", 2, 3), zone("c", "r", 3, 1), zone("d", "r2", 5, 1)),
        ZoneAwareRouting.builder().localZone("a").localRegion("r").build());
    health.down(a.get(0), a.get(1), a.get(2), a.get(3));
    // a: 6 of 10 pickable = 60% < 70%: a keeps 0.6 / 0.7; the rest goes 6:3 to b and c (same
    // region); d, in another region, gets nothing while the region has room.
    Map<String, Integer> counts = countZones(lb, PICKS);
    double local = 0.6 / 0.7;
    assertShare(counts, "a", local);
    assertShare(counts, "b", (1 - local) * 6 / 9);
    assertShare(counts, "c", (1 - local) * 3 / 9);
    assertEquals(0, counts.getOrDefault("d", 0));
  }

  @Test
  void failsOverZoneByZoneThenRegionByRegion() {
    List<Server> a = zone("a", "r1", 2, 1);
    List<Server> b = zone("b", "r1", 2, 1);
    List<Server> c = zone("c", "r2", 2, 1);
    List<Server> d = zone("d", "r3", 2, 1);
    LoadBalancer lb = balancer(concat(d, c, b, a),
        ZoneAwareRouting.builder().localZone("a").regionFailoverOrder("r3").build());
    assertEquals(Map.of("a", 1000), countZones(lb, 1000));
    health.down(a.toArray(new Server[0]));
    assertEquals(Map.of("b", 1000), countZones(lb, 1000), "zone a down: the other zone of region r1");
    health.down(b.toArray(new Server[0]));
    assertEquals(Map.of("d", 1000), countZones(lb, 1000), "region r1 down: r3, first in the failover order");
    health.down(d.toArray(new Server[0]));
    assertEquals(Map.of("c", 1000), countZones(lb, 1000), "then r2");
    health.up(a.get(0));
    // a is back at 50% capacity: health 0.5 / 0.7; the rest spills to the next level with room.
    Map<String, Integer> counts = countZones(lb, PICKS);
    assertShare(counts, "a", 0.5 / 0.7);
    assertShare(counts, "c", 1 - 0.5 / 0.7);
  }

  @Test
  void callerSharesSplitTheRegionAsEnvoysZoneAwareRouting() {
    List<Server> a = zone("a", "r", 4, 1);
    LoadBalancer lb = balancer(concat(a, zone("b", "r", 3, 1), zone("c", "r", 3, 1), zone("d", "r2", 3, 1)),
        ZoneAwareRouting.builder().localZone("a").callerShares(Map.of("a", 2.0, "b", 1.0, "c", 1.0)).build());
    // Capacity 4:3:3 = 40/30/30% against callers 50/25/25%: a keeps 0.4 / 0.5 = 80%; the 20%
    // left goes to b and c in proportion to their surplus, 5 points each: 10% and 10%.
    Map<String, Integer> counts = countZones(lb, PICKS);
    assertShare(counts, "a", 0.8);
    assertShare(counts, "b", 0.1);
    assertShare(counts, "c", 0.1);
    assertEquals(0, counts.getOrDefault("d", 0));

    // a loses two servers: capacity 2:3:3 = 25/37.5/37.5%; a keeps 0.25 / 0.5 = 50%.
    health.down(a.get(0), a.get(1));
    counts = countZones(lb, PICKS);
    assertShare(counts, "a", 0.5);
    assertShare(counts, "b", 0.25);
    assertShare(counts, "c", 0.25);
  }

  @Test
  void callerSharesKeepAllTrafficLocalWhenTheLocalZoneHasEnoughCapacity() {
    LoadBalancer lb = balancer(concat(zone("a", "r", 5, 1), zone("b", "r", 3, 1), zone("c", "r", 2, 1)),
        ZoneAwareRouting.builder().localZone("a").callerShares(Map.of("a", 1.0, "b", 1.0, "c", 1.0)).build());
    assertEquals(Map.of("a", 1000), countZones(lb, 1000));
  }

  @Test
  void weightedSplitFollowsConfiguredWeightsAndRenormalisesWhenAZoneGoesDown() {
    List<Server> c = zone("c", "r", 2, 1);
    LoadBalancer lb = balancer(concat(zone("a", "r", 4, 1), zone("b", "r", 1, 1), c, zone("old", "r", 3, 1)),
        ZoneAwareRouting.builder().zoneWeights(Map.of("a", 70, "b", 20, "c", 10, "old", 0)).build());
    Map<String, Integer> counts = countZones(lb, PICKS);
    assertShare(counts, "a", 0.7);
    assertShare(counts, "b", 0.2);
    assertShare(counts, "c", 0.1);
    assertEquals(0, counts.getOrDefault("old", 0), "weight 0: no traffic while others can take it");

    health.down(c.toArray(new Server[0]));
    counts = countZones(lb, PICKS);
    assertShare(counts, "a", 70.0 / 90);
    assertShare(counts, "b", 20.0 / 90);
    assertEquals(0, counts.getOrDefault("c", 0));
  }

  @Test
  void latencyBasedChoiceFavoursTheFasterZone() {
    LoadBalancer lb = balancer(concat(zone("a", "r", 2, 1), zone("b", "r", 2, 1)),
        ZoneAwareRouting.builder().latencyBased().latencyRefresh(Duration.ofSeconds(1)).build());
    // No samples yet: both zones count as fastest and share by capacity, so both get probed.
    Map<String, Integer> counts = countZones(lb, PICKS);
    assertShare(counts, "a", 0.5);
    // Every server reports once: zone a 40 ms, zone b 10 ms.
    int reported = 0;
    for (int i = 0; i < 1000 && reported < 4; i++) {
      Selection s = lb.pick();
      boolean inA = s.server().zone().get().equals("a");
      s.complete(inA ? 40_000_000L : 10_000_000L, Outcome.SUCCESS);
      reported = (int) lb.servers().stream().filter(v -> v.latencyEwmaNanos() > 0).count();
    }
    assertEquals(4, reported);
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    counts = countZones(lb, PICKS);
    // (10 / 40)^2 = 1/16 of b's weight: a gets 1/17.
    assertShare(counts, "a", 1.0 / 17);
    assertShare(counts, "b", 16.0 / 17);
  }

  @Test
  void avoidedServersInTheChosenZoneFallBackToOtherZones() {
    List<Server> a = zone("a", "r", 1, 1);
    List<Server> b = zone("b", "r", 1, 1);
    List<Server> c = zone("c", "r2", 1, 1);
    LoadBalancer lb = balancer(concat(a, b, c), ZoneAwareRouting.builder().localZone("a").build());
    PickContext avoidA = PickContext.builder().avoid(a.get(0)).build();
    assertEquals(b.get(0), lb.pick(avoidA).server(), "zone b is next in failover order");
    PickContext avoidAb = PickContext.builder().avoid(a.get(0)).avoid(b.get(0)).build();
    assertEquals(c.get(0), lb.pick(avoidAb).server());
    PickContext avoidAll = PickContext.builder().avoidAll(concat(a, b, c)).build();
    NoAvailableServerException e = assertThrows(NoAvailableServerException.class, () -> lb.pick(avoidAll));
    assertEquals("users: 0 of 3 servers pickable (3 already tried)", e.getMessage());
  }

  @Test
  void serversWithoutZonesStillGetTrafficWhenNoZoneHasServers() {
    List<Server> plain = List.of(Server.of("10.0.0.1", 80), Server.of("10.0.0.2", 80));
    LoadBalancer lb = balancer(plain, ZoneAwareRouting.builder().localZone("a").build());
    assertEquals(Map.of("-", 100), countZones(lb, 100));
  }

  @Test
  void picksAllocateOnlyTheirSelection() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    List<Server> a = zone("a", "r", 10, 1);
    LoadBalancer locality = balancer(concat(a, zone("b", "r", 5, 1), zone("c", "r2", 5, 1)),
        ZoneAwareRouting.builder().localZone("a").build());
    health.down(a.get(0), a.get(1), a.get(2), a.get(3), a.get(4));
    LoadBalancer latency = LoadBalancer.builder("users")
        .servers(concat(zone("a", "r", 10, 1), zone("b", "r", 5, 1)))
        .zoneRouting(ZoneAwareRouting.builder().latencyBased().latencyRefresh(Duration.ofNanos(1_000)).build())
        .random(RandomSource.seeded(7))
        .ticker(now::get)
        .build();
    for (LoadBalancer lb : List.of(locality, latency)) {
      for (int i = 0; i < 20_000; i++) {
        lb.pick();
        now.incrementAndGet();
      }
      long tid = Thread.currentThread().getId();
      long before = threads.getThreadAllocatedBytes(tid);
      for (int i = 0; i < 100_000; i++) {
        lb.pick();
        now.incrementAndGet();
      }
      long allocated = threads.getThreadAllocatedBytes(tid) - before;
      // Each pick allocates its own untracked selection (24 bytes), so that only its first
      // report counts; zone routing adds nothing. The seeded random source is java.util.Random,
      // which allocates nothing. Latency shares are recomputed every 1,000 picks here, into two
      // small arrays. Allow the measurement's own noise, far below one byte per pick.
      assertTrue(allocated < 100_000 * 24 + 8_192, lb + ": 100,000 picks allocated " + allocated + " bytes");
    }
  }

  @Test
  void rejectsBadConfigurationNamingFieldAndValue() {
    assertRejected("zoneWeights[b] must be >= 0, was -1",
        () -> ZoneAwareRouting.builder().zoneWeights(Map.of("b", -1)).build());
    assertRejected("localZone must be one of the known zones [a, b, c] in strict mode, was 'd'",
        () -> ZoneAwareRouting.builder().zones("a", "b", "c").localZone("d").strict(true).build());
    assertRejected("strict mode needs the known zones, was none: set zones(...) or zoneWeights(...)",
        () -> ZoneAwareRouting.builder().localZone("a").strict(true).build());
    assertRejected("localZone must be set for locality routing, was null (or use zoneWeights(...) or latencyBased())",
        () -> ZoneAwareRouting.builder().build());
    assertRejected("spillThresholdPercent must be in [1, 100], was 0",
        () -> ZoneAwareRouting.builder().localZone("a").spillThresholdPercent(0).build());
    assertRejected("zoneWeights and latencyBased are exclusive, both were set",
        () -> ZoneAwareRouting.builder().zoneWeights(Map.of("a", 1)).latencyBased().build());
    assertRejected("zoneWeights must have a positive weight, was {a=0}",
        () -> ZoneAwareRouting.builder().zoneWeights(Map.of("a", 0)).build());
    assertRejected("latencyExponent must be in [0.5, 10], was 0.0",
        () -> ZoneAwareRouting.builder().latencyBased().latencyExponent(0).build());
    assertRejected("callerShares[a] (the local zone) must be > 0, was null",
        () -> ZoneAwareRouting.builder().localZone("a").callerShares(Map.of("b", 1.0)).build());
    assertRejected("callerShares[b] must be a finite number >= 0, was -1.0",
        () -> ZoneAwareRouting.builder().localZone("a").callerShares(Map.of("a", 1.0, "b", -1.0)).build());
    // Strict mode accepts a known local zone, here from the weights' keys.
    ZoneAwareRouting.builder().zoneWeights(Map.of("a", 1)).localZone("a").strict(true).build();
  }

  private static void assertRejected(String message, org.junit.jupiter.api.function.Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertEquals(message, e.getMessage());
  }
}
