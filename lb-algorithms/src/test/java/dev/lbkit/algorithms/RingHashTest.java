package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Endpoint;
import dev.lbkit.testing.FakeEndpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RingHashTest {

  private static double maxOverMean(RingHash.Ring ring) {
    double[] shares = ring.shares();
    return Arrays.stream(shares).max().getAsDouble() * shares.length;
  }

  private static RingHash.Ring defaultRing(List<? extends Endpoint> eps) {
    return RingHash.Ring.build(List.copyOf(eps), Algorithms.DEFAULT_VIRTUAL_NODES_PER_SERVER,
        Algorithms.MAX_RING_SIZE);
  }

  /** The plain binary search over the whole ring that the bucket table replaces. */
  private static int ceilingByFullSearch(RingHash.Ring ring, long keyHash) {
    long position = keyHash & ~ring.mask;
    int lo = 0;
    int hi = ring.points.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ring.points[mid] < position) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo == ring.points.length ? 0 : lo;
  }

  @Property(tries = 30, seed = "21")
  void bucketedLookupFindsThePointAFullSearchFinds(
      @ForAll @IntRange(min = 1, max = 3000) int servers, @ForAll long seed) {
    RingHash.Ring ring = defaultRing(FakeEndpoint.of(servers));
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    List<Long> hashes = new ArrayList<>(List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L));
    for (int i = 0; i < 200; i++) {
      hashes.add(random.nextLong());
      long point = ring.points[random.nextInt(ring.points.length)] & ~ring.mask;
      hashes.add(point);      // exactly on a point
      hashes.add(point + 1);  // just after it
      hashes.add(point - 1);  // just before it
    }
    for (long h : hashes) {
      assertEquals(ceilingByFullSearch(ring, h), ring.ceiling(h), "hash " + h + " over " + servers + " servers");
    }
  }

  @Test
  void defaultRingKeepsDocumentedBalance() {
    // The class comment's table; the figures are deterministic for these server ids.
    assertEquals(1.032, maxOverMean(defaultRing(FakeEndpoint.of(10))), 0.0005);
    assertEquals(1.076, maxOverMean(defaultRing(FakeEndpoint.of(100))), 0.0005);
    assertEquals(1.080, maxOverMean(defaultRing(FakeEndpoint.of(1000))), 0.0005);
  }

  @Test
  void defaultRingStaysWithinTenPercentUpToHundredServers() {
    for (int n = 1; n <= 100; n++) {
      double m = maxOverMean(defaultRing(FakeEndpoint.of(n)));
      assertTrue(m <= 1.10, n + " servers: max/mean " + m);
    }
  }

  @Test
  void sharesCoverTheWholeRing() {
    double sum = Arrays.stream(defaultRing(FakeEndpoint.of(7)).shares()).sum();
    assertEquals(1.0, sum, 1e-9);
    assertEquals(1.0, defaultRing(FakeEndpoint.of(1)).shares()[0], 1e-9);
  }

  @Test
  void pointsFollowWeights() {
    RingHash.Ring ring = defaultRing(FakeEndpoint.weighted(1, 3));
    int[] counts = new int[2];
    for (int k = 0; k < ring.points.length; k++) {
      counts[ring.owner(k)]++;
    }
    assertEquals(1024, counts[0]);
    assertEquals(3072, counts[1]);
    // A share's spread is about 1/sqrt(points): 3/4 ± 0.05 is beyond 5 sigma.
    assertEquals(0.75, ring.shares()[1], 0.05);
  }

  @Test
  void ringIsCappedAndEveryServerKeepsAPoint() {
    RingHash.Ring ring = RingHash.Ring.build(List.copyOf(FakeEndpoint.weighted(1_000_000, 1, 1)), 1024, 1000);
    // Capped: the target is 3 × 256 (the largest power of two at most 1000 / 3); the heavy server
    // gets round(768 × 1e6 / (1e6 + 2)) = 768, plus the two one-point minimums.
    assertEquals(770, ring.points.length);
    int[] counts = new int[3];
    for (int k = 0; k < ring.points.length; k++) {
      counts[ring.owner(k)]++;
    }
    assertEquals(1, counts[1]);
    assertEquals(1, counts[2]);
  }

  @Test
  void cappedRingKeepsPointCountsOverAFactorOfTwoInN() {
    int[] at600 = RingHash.Ring.counts(FakeEndpoint.of(600).toArray(new Endpoint[0]), 2048, 1 << 21);
    int[] at1000 = RingHash.Ring.counts(FakeEndpoint.of(1_000).toArray(new Endpoint[0]), 2048, 1 << 21);
    int[] at10k = RingHash.Ring.counts(FakeEndpoint.of(10_000).toArray(new Endpoint[0]), 2048, 1 << 21);
    assertEquals(2048, at600[0]);
    assertEquals(2048, at1000[0], "1,000 × 2,048 fits 2^21: uncapped");
    assertEquals(128, at10k[0], "the largest power of two at most 2^21 / 10,000 = 209");
  }

  /** A list change applied to the previous ring gives exactly the ring a full build gives. */
  @Property(tries = 30, seed = "5")
  void incrementalUpdateEqualsAFullBuild(
      @ForAll @IntRange(min = 2, max = 300) int n,
      @ForAll @IntRange(min = 0, max = 5) int removed,
      @ForAll @IntRange(min = 0, max = 5) int added) {
    List<FakeEndpoint> all = FakeEndpoint.of(n + added);
    List<Endpoint> before = new ArrayList<>(all.subList(0, n));
    List<Endpoint> after = new ArrayList<>(all.subList(Math.min(removed, n - 1), n + added));
    RingHash.Ring previous = RingHash.Ring.build(before, 64, 1 << 21);
    RingHash.Ring incremental = RingHash.Ring.build(after, 64, 1 << 21, previous);
    RingHash.Ring full = RingHash.Ring.build(after, 64, 1 << 21);
    assertArrayEquals(full.points, incremental.points);
    assertArrayEquals(full.buckets, incremental.buckets, "bucket table");
    for (int i = 0; i < full.endpoints.length; i++) {
      assertEquals(full.endpoints[i].server(), incremental.endpoints[i].server());
    }
  }

  /**
   * With unequal weights a removal changes the total weight, so servers that stay change their
   * point counts by a few points: the update drops and adds only those points, and the result is
   * still exactly a full build's.
   */
  @Property(tries = 40, seed = "12")
  void incrementalUpdateWithChangedPointCountsEqualsAFullBuild(
      @ForAll @IntRange(min = 2, max = 200) int n,
      @ForAll @IntRange(min = 0, max = 3) int removed,
      @ForAll @IntRange(min = 0, max = 3) int added,
      @ForAll @IntRange(min = 0, max = 4) int reweighted,
      @ForAll long seed) {
    java.util.Random random = new java.util.Random(seed);
    int[] weights = new int[n + added];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = 1 + random.nextInt(5);
    }
    List<FakeEndpoint> all = FakeEndpoint.weighted(weights);
    List<Endpoint> before = new ArrayList<>(all.subList(0, n));
    RingHash.Ring previous = RingHash.Ring.build(before, 64, 1 << 21);
    List<FakeEndpoint> stay = all.subList(Math.min(removed, n - 1), n + added);
    for (int r = 0; r < reweighted; r++) {
      stay.get(random.nextInt(stay.size())).effectiveWeight(0.25 + random.nextInt(20) * 0.25);
    }
    List<Endpoint> after = new ArrayList<>(stay);
    RingHash.Ring incremental = RingHash.Ring.build(after, 64, 1 << 21, previous);
    RingHash.Ring full = RingHash.Ring.build(after, 64, 1 << 21);
    assertArrayEquals(full.points, incremental.points);
    assertArrayEquals(full.counts, incremental.counts);
    assertArrayEquals(full.buckets, incremental.buckets, "bucket table");
    for (int i = 0; i < full.endpoints.length; i++) {
      assertEquals(full.endpoints[i].server(), incremental.endpoints[i].server());
    }
  }

  /** The case a deploy step makes with weights 1, 2, 3, ...: an update, not a full build. */
  @Test
  void removalWithUnequalWeightsIsAppliedToThePreviousRing() {
    int[] weights = new int[1_000];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = 1 + i % 3;
    }
    List<Endpoint> servers = new ArrayList<>(FakeEndpoint.weighted(weights));
    RingHash.Ring before = defaultRing(servers);
    servers.remove(500); // weight 3: the total falls by 3 of 2,000 and most counts change
    Endpoint[] sorted = HashKeys.sortedById(servers);
    int[] counts = RingHash.Ring.counts(sorted, Algorithms.DEFAULT_VIRTUAL_NODES_PER_SERVER,
        Algorithms.MAX_RING_SIZE);
    int changed = 0;
    for (int i = 0; i < sorted.length; i++) {
      int was = before.counts[Arrays.asList(before.endpoints).indexOf(sorted[i])];
      changed += was == counts[i] ? 0 : 1;
    }
    assertTrue(changed > 500, "most servers that stay change their point count: " + changed);
    RingHash.Ring updated = RingUpdate.apply(before, sorted, counts);
    assertTrue(updated != null, "the update declined a removal that changes a few points per server");
    RingHash.Ring full = defaultRing(servers);
    assertArrayEquals(full.points, updated.points);
    assertArrayEquals(full.buckets, updated.buckets, "bucket table");
  }

  @Test
  void removingOneServerMovesOnlyItsKeysThroughTheIncrementalPath() {
    List<FakeEndpoint> servers = FakeEndpoint.of(50);
    RingHash.Ring before = RingHash.Ring.build(List.copyOf(servers), 256, 1 << 21);
    List<Endpoint> rest = new ArrayList<>(servers);
    Endpoint leaving = rest.remove(17);
    RingHash.Ring after = RingHash.Ring.build(rest, 256, 1 << 21, before);
    for (int key = 0; key < 20_000; key++) {
      long hash = Hashing.mix64(key);
      Endpoint was = before.endpoints[before.owner(before.ceiling(hash))];
      Endpoint now = after.endpoints[after.owner(after.ceiling(hash))];
      if (!was.equals(leaving)) {
        assertEquals(was.server(), now.server(), "key " + key + " moved although its server stayed");
      }
    }
  }

  @Test
  void pointsAreSorted() {
    long[] p = defaultRing(FakeEndpoint.of(50)).points;
    for (int i = 1; i < p.length; i++) {
      assertTrue(p[i - 1] <= p[i]);
    }
  }
}
