package dev.lbkit.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchServersTest {

  /** Counts every pick in flight on the first endpoint, as least connections would. */
  private static final class FakeTrackingAlgorithm implements Algorithm {
    @Override
    public String name() {
      return "fake-tracking";
    }

    @Override
    public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
      Endpoint first = endpoints.get(0);
      return ctx -> first.track();
    }
  }

  @Test
  void roundRobinTracksNothingSoItsPicksAreNotReported() {
    try (LoadBalancer lb = BenchServers.balancer(BenchAlgorithms.byName("round-robin").create(),
        BenchServers.servers(3, "equal"))) {
      assertFalse(BenchServers.tracksInFlight(lb, PickContext.EMPTY));
    }
  }

  @Test
  void trackingAlgorithmIsDetectedAndItsProbePickReleased() {
    try (LoadBalancer lb = BenchServers.balancer(new FakeTrackingAlgorithm(), BenchServers.servers(3, "equal"))) {
      assertTrue(BenchServers.tracksInFlight(lb, PickContext.EMPTY));
      int inFlight = 0;
      for (ServerView v : lb.servers()) {
        inFlight += v.inFlight();
      }
      assertEquals(0, inFlight);
    }
  }

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
  void unknownWeightsAreRejectedByName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BenchServers.servers(3, "heavy"));
    assertEquals("weights must be one of [equal, up-to-1e6], was 'heavy'", e.getMessage());
  }

  @Test
  void captureHandsBackTheRuntimesEndpointsAndContext() {
    BenchServers.Captured captured = BenchServers.capture(BenchServers.servers(5, "equal"));
    assertEquals(5, captured.endpoints().size());
    assertEquals("bench", captured.context().cluster());
  }
}
