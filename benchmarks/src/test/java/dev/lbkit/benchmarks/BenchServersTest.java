package dev.lbkit.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Server;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchServersTest {

  @Test
  void serversAreDistinctWithEqualOrBoundedWeights() {
    List<Server> equal = BenchServers.servers(10_000, "equal");
    Set<String> ids = new HashSet<>();
    for (Server s : equal) {
      ids.add(s.id());
      assertEquals(1, s.weight());
    }
    assertEquals(10_000, ids.size());
    boolean large = false;
    for (Server s : BenchServers.servers(1000, "up-to-1e6")) {
      assertTrue(s.weight() >= 1 && s.weight() <= 1_000_000, s.toString());
      large |= s.weight() > 500_000;
    }
    assertTrue(large, "no weight above 500,000 among 1,000 draws");
  }

  @Test
  void oneToThreeWeightsCycleOneTwoThree() {
    List<Server> servers = BenchServers.servers(7, "1-to-3");
    int[] weights = new int[servers.size()];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = servers.get(i).weight();
    }
    assertArrayEquals(new int[] {1, 2, 3, 1, 2, 3, 1}, weights);
  }

  @Test
  void unknownWeightsAreRejectedByName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BenchServers.servers(3, "heavy"));
    assertEquals("weights must be one of [equal, 1-to-3, up-to-1e6], was 'heavy'", e.getMessage());
  }

  @Test
  void captureHandsBackTheRuntimesEndpointsAndContext() {
    BenchServers.Captured captured = BenchServers.capture(BenchServers.servers(5, "equal"));
    assertEquals(5, captured.endpoints().size());
    assertEquals("bench", captured.context().cluster());
  }
}
