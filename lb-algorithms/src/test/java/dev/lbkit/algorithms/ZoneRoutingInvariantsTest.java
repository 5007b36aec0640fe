package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Server;
import dev.lbkit.api.ZoneRouting;
import dev.lbkit.testing.FakeHealthInput;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * Invariants of zone-aware routing over random fleets: zones of random sizes, weights and
 * regions, random servers down, every mode. Runs through the real {@link LoadBalancer}.
 */
class ZoneRoutingInvariantsTest {

  private static final int PICKS = 1_000;

  /** One generated fleet: servers, which are down, and the caller's zone. */
  static final class Fleet {
    final List<Server> servers;
    final Set<Server> down;
    final String localZone;

    Fleet(List<Server> servers, Set<Server> down, String localZone) {
      this.servers = servers;
      this.down = down;
      this.localZone = localZone;
    }

    @Override
    public String toString() {
      return "Fleet{local " + localZone + ", servers " + servers + ", down " + down + "}";
    }
  }

  @Provide
  Arbitrary<Fleet> fleets() {
    Arbitrary<List<Integer>> sizes = Arbitraries.integers().between(1, 5).list().ofMinSize(1).ofMaxSize(5);
    return sizes.flatMap(zoneSizes -> {
      int total = zoneSizes.stream().mapToInt(Integer::intValue).sum();
      Arbitrary<List<Integer>> weights = Arbitraries.integers().between(1, 5).list().ofSize(total);
      Arbitrary<List<Boolean>> downs = Arbitraries.of(true, false).list().ofSize(total);
      Arbitrary<List<Integer>> regions = Arbitraries.integers().between(0, 2).list().ofSize(zoneSizes.size());
      Arbitrary<Integer> local = Arbitraries.integers().between(0, zoneSizes.size());
      return Combinators.combine(weights, downs, regions, local).as((w, d, r, l) -> {
        List<Server> servers = new ArrayList<>();
        Set<Server> down = new HashSet<>();
        int k = 0;
        for (int z = 0; z < zoneSizes.size(); z++) {
          for (int i = 0; i < zoneSizes.get(z); i++) {
            Server.Builder b = Server.builder("z" + z + "-" + i, 80).weight(w.get(k)).zone("z" + z);
            if (r.get(z) > 0) {
              b.region("r" + r.get(z));
            }
            Server s = b.build();
            servers.add(s);
            if (d.get(k)) {
              down.add(s);
            }
            k++;
          }
        }
        if (down.size() == servers.size()) {
          down.remove(servers.get(0));
        }
        return new Fleet(servers, down, "z" + l);
      });
    });
  }

  private static Map<String, Integer> pick(Fleet fleet, ZoneRouting routing) {
    FakeHealthInput health = new FakeHealthInput();
    LoadBalancer lb = LoadBalancer.builder("p")
        .servers(fleet.servers)
        .zoneRouting(routing)
        .healthInput(health)
        .random(RandomSource.seeded(1))
        .ticker(() -> 0L)
        .panicThresholdPercent(0)
        .build();
    health.down(fleet.down.toArray(new Server[0]));
    Map<String, Integer> byZone = new LinkedHashMap<>();
    for (int i = 0; i < PICKS; i++) {
      Server s = lb.pick().server();
      assertFalse(fleet.down.contains(s), "picked a server that is down: " + s);
      byZone.merge(s.zone().orElseThrow(), 1, Integer::sum);
    }
    return byZone;
  }

  @Property(tries = 60, seed = "20261127", shrinking = ShrinkingMode.BOUNDED)
  void localityNeverPicksDownServersAndKeepsAHealthyLocalZone(@ForAll("fleets") Fleet fleet) {
    Map<String, Integer> byZone = pick(fleet, ZoneAwareRouting.builder().localZone(fleet.localZone).build());
    long all = 0;
    long up = 0;
    for (Server s : fleet.servers) {
      if (s.zone().orElseThrow().equals(fleet.localZone)) {
        all += s.weight();
        up += fleet.down.contains(s) ? 0 : s.weight();
      }
    }
    if (all > 0 && (double) up / all >= ZoneAwareRouting.DEFAULT_SPILL_THRESHOLD_PERCENT / 100.0) {
      assertEquals(Map.of(fleet.localZone, PICKS), byZone, "a local zone above the threshold keeps all traffic");
    }
  }

  @Property(tries = 40, seed = "20261128", shrinking = ShrinkingMode.BOUNDED)
  void weightedSplitSendsNothingToUnweightedZonesWhileWeightedOnesAreUp(@ForAll("fleets") Fleet fleet) {
    Map<String, Integer> weights = Map.of("z0", 3, "z1", 1);
    Map<String, Integer> byZone = pick(fleet, ZoneAwareRouting.builder().zoneWeights(weights).build());
    boolean weightedUp = fleet.servers.stream()
        .anyMatch(s -> weights.containsKey(s.zone().orElseThrow()) && !fleet.down.contains(s));
    if (weightedUp) {
      for (String zone : byZone.keySet()) {
        assertFalse(!weights.containsKey(zone), "zone " + zone + " has no weight but got " + byZone.get(zone));
      }
    }
  }

  @Property(tries = 30, seed = "20261129", shrinking = ShrinkingMode.BOUNDED)
  void latencyModeNeverPicksDownServers(@ForAll("fleets") Fleet fleet) {
    pick(fleet, ZoneAwareRouting.builder().latencyBased().build());
  }
}
