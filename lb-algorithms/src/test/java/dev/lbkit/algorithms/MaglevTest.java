package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class MaglevTest {

  private static Maglev.MaglevPicker build(List<? extends Endpoint> eps) {
    return build(eps, Algorithms.DEFAULT_MAGLEV_TABLE_SIZE);
  }

  private static Maglev.MaglevPicker build(List<? extends Endpoint> eps, int tableSize) {
    return (Maglev.MaglevPicker) Algorithms.maglev().tableSize(tableSize).build()
        .newPicker(List.copyOf(eps), new FakeAlgorithmContext(1, eps.size()));
  }

  private static int[] slotCounts(Maglev.MaglevPicker p) {
    int[] counts = new int[p.endpoints().length];
    for (int owner : p.table()) {
      counts[owner]++;
    }
    return counts;
  }

  @Test
  void populatesThePapersExampleTable() {
    // Eisenbud et al., Table 1: M = 7, B0 (offset 3, skip 4), B1 (0, 2), B2 (3, 1).
    int[] table = Maglev.populate(new long[] {3, 0, 3}, new long[] {4, 2, 1}, new double[] {1, 1, 1}, 7);
    assertArrayEquals(new int[] {1, 0, 1, 0, 2, 2, 0}, table);
  }

  @Test
  void equalServersOwnFloorOrCeilOfTheirShareAtTenHundredThousand() {
    int m = Algorithms.DEFAULT_MAGLEV_TABLE_SIZE;
    for (int n : new int[] {10, 100, 1000}) {
      int[] counts = slotCounts(build(FakeEndpoint.of(n)));
      for (int c : counts) {
        assertTrue(c == m / n || c == m / n + 1, n + " servers: a server owns " + c);
      }
      int max = java.util.Arrays.stream(counts).max().getAsInt();
      double maxOverMean = max / ((double) m / n);
      assertTrue(maxOverMean <= 1 + (double) n / m, n + " servers: max/mean " + maxOverMean);
    }
  }

  @Test
  void slotsFollowWeights() {
    int[] counts = slotCounts(build(FakeEndpoint.weighted(1, 2, 5), 65537));
    // 65537 × 1/8, 2/8, 5/8, to within one turn of claims.
    assertEquals(8192, counts[0], 2);
    assertEquals(16384, counts[1], 2);
    assertEquals(40961, counts[2], 3);
  }

  @Property(tries = 30, seed = "51")
  void removalMovesLittleMoreThanTheRemovedShare(
      @ForAll @IntRange(min = 2, max = 64) int n, @ForAll long seed) {
    List<FakeEndpoint> eps = FakeEndpoint.of(n);
    Maglev.MaglevPicker before = build(eps);
    int removed = new Random(seed).nextInt(n);
    String removedId = eps.get(removed).server().id();
    List<FakeEndpoint> less = new ArrayList<>(eps);
    less.remove(removed);
    Maglev.MaglevPicker after = build(less);
    int excess = 0;
    for (int slot = 0; slot < before.table().length; slot++) {
      String was = before.endpoints()[before.table()[slot]].server().id();
      String is = after.endpoints()[after.table()[slot]].server().id();
      if (!was.equals(is) && !was.equals(removedId)) {
        excess++;
      }
    }
    double fraction = excess / (double) before.table().length;
    assertTrue(fraction < 0.01, "moved " + fraction + " of keys off remaining servers");
    // Adding the server back rebuilds the same table.
    assertArrayEquals(before.table(), build(eps).table());
  }

  @Test
  void tableSizeMustBeAPrimeInRange() {
    assertEquals("tableSize must be prime, was 65536",
        assertThrows(IllegalArgumentException.class, () -> Algorithms.maglev().tableSize(65536).build()).getMessage());
    assertEquals("tableSize must be in [3, 16777213], was 2",
        assertThrows(IllegalArgumentException.class, () -> Algorithms.maglev().tableSize(2).build()).getMessage());
    assertEquals("tableSize must be in [3, 16777213], was 16777259",
        assertThrows(IllegalArgumentException.class, () -> Algorithms.maglev().tableSize(16_777_259).build()).getMessage());
    assertEquals("maglev{tableSize=251}", Algorithms.maglev().tableSize(251).build().toString());
  }
  private static List<Server> servers(int n) {
    List<Server> list = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      list.add(Server.of("10.0.0." + i, 80));
    }
    return list;
  }

  /** The servers that 2,000 distinct keys reach. */
  private static Set<String> reached(LoadBalancer lb) {
    Set<String> ids = new TreeSet<>();
    for (int k = 0; k < 2000; k++) {
      ids.add(lb.pick(PickContext.ofKey("user-" + k)).server().id());
    }
    return ids;
  }

  @Test
  void buildRejectsATableSmallerThanTheStaticServerList() {
    Algorithm maglev = Algorithms.maglev().tableSize(3).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LoadBalancer.builder("c").algorithm(maglev).servers(servers(5)).build());
    assertEquals("tableSize must be at least the number of servers (5), was 3", e.getMessage());
    try (LoadBalancer lb = LoadBalancer.builder("c").algorithm(maglev).servers(servers(3)).build()) {
      assertEquals(3, reached(lb).size(), "a table as large as the list is enough");
    }
  }

  @Test
  void tableGrowsToTheNextPrimeWhenAnUpdateBringsMoreServersThanItHolds() {
    Algorithm maglev = Algorithms.maglev().tableSize(3).build();
    try (LoadBalancer lb = LoadBalancer.builder("c").algorithm(maglev).servers(servers(3)).build()) {
      lb.updateServers(servers(5));
      assertEquals(5, reached(lb).size(), "every one of 5 servers gets keys from a table of 3");
      lb.updateServers(servers(8));
      assertEquals(8, reached(lb).size());
      lb.updateServers(servers(2));
      assertEquals(2, reached(lb).size());
    }
  }

  @Test
  void grownTableSizeIsTheSmallestPrimeAtOrAboveTheServerCount() {
    assertEquals(3, build(FakeEndpoint.of(2), 3).table().length, "the configured size while it is enough");
    assertEquals(5, build(FakeEndpoint.of(4), 3).table().length);
    assertEquals(5, build(FakeEndpoint.of(5), 3).table().length);
    assertEquals(11, build(FakeEndpoint.of(8), 7).table().length);
    assertEquals(101, build(FakeEndpoint.of(100), 3).table().length);
    for (int n : new int[] {4, 5, 8, 100}) {
      Maglev.MaglevPicker p = build(FakeEndpoint.of(n), 3);
      for (int c : slotCounts(p)) {
        assertTrue(c >= 1, n + " servers: every server owns a slot");
      }
    }
  }
}
