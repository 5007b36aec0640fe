package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Endpoint;
import dev.lbkit.testing.FakeEndpoint;
import java.util.Arrays;
import java.util.List;
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
    // round(1000 × 1e6 / (1e6 + 2)) = 1000 for the heavy server, plus the two one-point minimums.
    assertEquals(1002, ring.points.length);
    int[] counts = new int[3];
    for (int k = 0; k < ring.points.length; k++) {
      counts[ring.owner(k)]++;
    }
    assertEquals(1, counts[1]);
    assertEquals(1, counts[2]);
  }

  @Test
  void pointsAreSorted() {
    long[] p = defaultRing(FakeEndpoint.of(50)).points;
    for (int i = 1; i < p.length; i++) {
      assertTrue(p[i - 1] <= p[i]);
    }
  }
}
