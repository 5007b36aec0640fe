package dev.lbkit.kubernetes;

import static dev.lbkit.kubernetes.Slices.ready;
import static dev.lbkit.kubernetes.Slices.terminating;
import static dev.lbkit.kubernetes.Slices.users;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.algorithms.ZoneAwareRouting;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.ServerView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The source behind a real {@link LoadBalancer}: a terminating endpoint drains (its calls finish,
 * it gets no new picks), and zones reach zone-aware routing.
 */
class BalancerTest {

  private final MockApiServer api = new MockApiServer();

  @AfterEach
  void tearDown() {
    api.close();
  }

  private static LoadBalancer balancer(MockApiServer api, ZoneAwareRouting.Builder zones) {
    return balancer(api, zones, Algorithms.roundRobin());
  }

  private static LoadBalancer balancer(MockApiServer api, ZoneAwareRouting.Builder zones, Algorithm algorithm) {
    var builder = LoadBalancer.builder("users")
        .algorithm(algorithm)
        .source(KubernetesSources.endpointSlices(MockApiServer.NAMESPACE, "users").portName("http").config(api.config()).build());
    if (zones != null) {
      builder.zoneRouting(zones.build());
    }
    return builder.build();
  }

  /** Waits, with a bound, until the balancer's servers satisfy {@code condition}. */
  private static void await(LoadBalancer lb, Predicate<List<ServerView>> condition, String what) {
    long deadline = System.nanoTime() + RecordingListener.WAIT_NANOS;
    while (!condition.test(lb.servers())) {
      if (System.nanoTime() > deadline) {
        fail("expected " + what + "; servers are " + lb.servers());
      }
      try {
        TimeUnit.MILLISECONDS.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted");
      }
    }
  }

  private static ServerView view(LoadBalancer lb, String id) {
    return lb.servers().stream().filter(v -> v.server().id().equals(id)).findFirst().orElseThrow();
  }

  private static List<String> ids(List<ServerView> views) {
    return views.stream().map(v -> v.server().id()).sorted().collect(Collectors.toList());
  }

  /** Picks {@code n} times, completing each call at once; returns the picks per server id. */
  private static Map<String, Integer> picks(LoadBalancer lb, int n) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      Selection s = lb.pick();
      counts.merge(s.server().id(), 1, Integer::sum);
      s.complete(1_000, Outcome.SUCCESS);
    }
    return counts;
  }

  @Test
  void aTerminatingEndpointDrainsItsCallsFinishAndItGetsNoNewPicks() {
    api.apply(users("users-a", ready("10.0.0.1", "zone-a"), ready("10.0.0.2", "zone-a"), ready("10.0.0.3", "zone-b")));
    // Least connections counts in-flight calls, so the test can watch them.
    try (LoadBalancer lb = balancer(api, null, Algorithms.leastConnections())) {
      await(lb, v -> v.size() == 3, "three servers");

      List<Selection> inFlight = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        inFlight.add(lb.pick());
      }
      for (Selection s : List.copyOf(inFlight)) {
        if (!s.server().id().equals("10.0.0.2:8080")) {
          s.complete(1_000, Outcome.SUCCESS);
          inFlight.remove(s);
        }
      }
      assertFalse(inFlight.isEmpty(), "10.0.0.2 has calls in flight");

      api.apply(users("users-a", ready("10.0.0.1", "zone-a"), terminating("10.0.0.2", "zone-a"), ready("10.0.0.3", "zone-b")));
      await(lb, v -> view(lb, "10.0.0.2:8080").health().draining(), "10.0.0.2 draining");

      assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080"), ids(lb.servers()), "a draining server stays");
      assertEquals(inFlight.size(), view(lb, "10.0.0.2:8080").inFlight());
      Map<String, Integer> counts = picks(lb, 1000);
      assertEquals(List.of("10.0.0.1:8080", "10.0.0.3:8080"), List.copyOf(counts.keySet()), "no new picks: " + counts);

      for (Selection s : inFlight) {
        s.complete(1_000, Outcome.SUCCESS);
      }
      assertEquals(0, view(lb, "10.0.0.2:8080").inFlight(), "its calls finished");

      // The pod is gone: removed.
      api.apply(users("users-a", ready("10.0.0.1", "zone-a"), ready("10.0.0.3", "zone-b")));
      await(lb, v -> v.size() == 2, "two servers");
      assertEquals(List.of("10.0.0.1:8080", "10.0.0.3:8080"), ids(lb.servers()));
    }
  }

  @Test
  void aDrainedEndpointThatTurnsReadyAgainTakesPicksAgain() {
    api.apply(users("users-a", ready("10.0.0.1", "zone-a"), terminating("10.0.0.2", "zone-a")));
    try (LoadBalancer lb = balancer(api, null)) {
      await(lb, v -> v.size() == 2 && view(lb, "10.0.0.2:8080").health().draining(), "10.0.0.2 draining");
      assertEquals(Map.of("10.0.0.1:8080", 100), picks(lb, 100));

      api.apply(users("users-a", ready("10.0.0.1", "zone-a"), ready("10.0.0.2", "zone-a")));
      await(lb, v -> !view(lb, "10.0.0.2:8080").health().draining(), "10.0.0.2 serving");
      assertEquals(Map.of("10.0.0.1:8080", 50, "10.0.0.2:8080", 50), picks(lb, 100));
    }
  }

  @Test
  void zonesFromTheSlicesDriveZoneAwareRouting() {
    api.apply(users("users-a", ready("10.0.0.1", "zone-a"), ready("10.0.0.2", "zone-b"), ready("10.0.0.3", "zone-a")));
    try (LoadBalancer lb = balancer(api, ZoneAwareRouting.builder().localZone("zone-a"))) {
      await(lb, v -> v.size() == 3, "three servers");
      assertEquals(Map.of("10.0.0.1:8080", 50, "10.0.0.3:8080", 50), picks(lb, 100));

      // zone-a's pods terminate: traffic spills to zone-b.
      api.apply(users("users-a", terminating("10.0.0.1", "zone-a"), ready("10.0.0.2", "zone-b"), terminating("10.0.0.3", "zone-a")));
      await(lb, v -> view(lb, "10.0.0.1:8080").health().draining() && view(lb, "10.0.0.3:8080").health().draining(),
          "zone-a draining");
      assertTrue(picks(lb, 100).equals(Map.of("10.0.0.2:8080", 100)));
    }
  }
}
