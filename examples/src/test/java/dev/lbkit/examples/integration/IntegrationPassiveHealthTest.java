package dev.lbkit.examples.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.algorithms.LoadBalancerBuilder;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.health.CircuitBreakers;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.testing.FakeScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Passive health end to end: outcomes reported through {@link Selection#complete} reach the real
 * {@link OutlierDetection} and {@link CircuitBreakers} inputs of a real {@link LoadBalancer}, whose
 * picks then follow. Virtual time throughout ({@link FakeScheduler}); no I/O, so the servers' addresses
 * are never contacted.
 */
class IntegrationPassiveHealthTest {

  private final FakeScheduler time = new FakeScheduler();

  private static List<Server> servers(int n) {
    List<Server> list = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      list.add(Server.of("10.0.0." + i, 8080));
    }
    return list;
  }

  private LoadBalancerBuilder balancer(List<Server> servers) {
    return LoadBalancer.builder("users").algorithm(Algorithms.roundRobin()).servers(servers).ticker(time.ticker())
        .random(RandomSource.seeded(42));
  }

  static ServerView view(LoadBalancer lb, Server s) {
    return lb.servers().stream().filter(v -> v.server().id().equals(s.id())).findFirst()
        .orElseThrow(() -> new AssertionError(s.id() + " not in " + lb.servers()));
  }

  /** Picks {@code n} times, completing each with success; counts picks per server id. */
  static Map<String, Integer> pickCounts(LoadBalancer lb, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Selection s = lb.pick(PickContext.EMPTY);
      counts.merge(s.server().id(), 1, Integer::sum);
      s.complete(1_000_000, Outcome.SUCCESS);
    }
    return counts;
  }

  /**
   * Picks {@code n} times; picks of a server in {@code failing} complete with a 5xx, the others
   * with success. Returns the 5xx reported per server id.
   */
  private static Map<String, Integer> traffic(LoadBalancer lb, Set<String> failing, int n) {
    Map<String, Integer> failures = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Selection s = lb.pick(PickContext.EMPTY);
      if (failing.contains(s.server().id())) {
        failures.merge(s.server().id(), 1, Integer::sum);
        s.complete(1_000_000, Outcome.SERVER_ERROR);
      } else {
        s.complete(1_000_000, Outcome.SUCCESS);
      }
    }
    return failures;
  }

  @Test
  void ejectsOnTheThirdConsecutiveFailureAndReadmitsAfterTheEjectionTime() {
    List<Server> s = servers(4);
    Server bad = s.get(2);
    try (LoadBalancer lb = balancer(s)
        .healthInput(OutlierDetection.builder().consecutiveFailures(3).failurePercentageEnabled(false)
            .baseEjectionTime(Duration.ofSeconds(10)).scheduler(time).build())
        .build()) {
      int reported = 0;
      for (int i = 0; i < 100 && reported < 3; i++) {
        Selection sel = lb.pick(PickContext.EMPTY);
        if (sel.server().equals(bad)) {
          sel.complete(1_000_000, Outcome.SERVER_ERROR);
          reported++;
          // Inline: the call that reports the third failure ejects, no timer runs in between.
          assertEquals(reported == 3, view(lb, bad).health().ejected(), "ejected after " + reported + " failures");
        } else {
          sel.complete(1_000_000, Outcome.SUCCESS);
        }
      }
      assertEquals(3, reported);
      assertEquals(0, pickCounts(lb, 400).getOrDefault(bad.id(), 0), "an ejected server is never picked");

      time.advance(Duration.ofSeconds(10).minusNanos(1));
      assertTrue(view(lb, bad).health().ejected(), "still ejected 1 ns before the ejection time");
      assertEquals(0, pickCounts(lb, 100).getOrDefault(bad.id(), 0));

      time.advance(Duration.ofNanos(1));
      assertFalse(view(lb, bad).health().ejected(), "re-admitted when the ejection time expires");
      assertTrue(view(lb, bad).health().pickable());
      Map<String, Integer> after = pickCounts(lb, 400);
      assertEquals(100, after.getOrDefault(bad.id(), 0), "round robin gives the re-admitted server its quarter: " + after);
    }
  }

  @Test
  void secondEjectionLastsTwiceAsLong() {
    List<Server> s = servers(4);
    Server bad = s.get(0);
    try (LoadBalancer lb = balancer(s)
        .healthInput(OutlierDetection.builder().consecutiveFailures(3).failurePercentageEnabled(false)
            .baseEjectionTime(Duration.ofSeconds(10)).scheduler(time).build())
        .build()) {
      traffic(lb, Set.of(bad.id()), 12);
      assertTrue(view(lb, bad).health().ejected());
      time.advance(Duration.ofSeconds(10));
      assertFalse(view(lb, bad).health().ejected());
      traffic(lb, Set.of(bad.id()), 12);
      assertTrue(view(lb, bad).health().ejected(), "ejected again after three more failures");
      time.advance(Duration.ofSeconds(20).minusNanos(1));
      assertTrue(view(lb, bad).health().ejected(), "the second ejection lasts 2 x base");
      time.advance(Duration.ofNanos(1));
      assertFalse(view(lb, bad).health().ejected());
    }
  }

  @Test
  void maxEjectionCapHoldsWithThreeOfFiveServersFailing() {
    // percent cap -> how many of the three failing servers may be ejected at once
    int[][] cases = {{10, 1}, {40, 2}};
    for (int[] c : cases) {
      List<Server> s = servers(5);
      Set<String> failing = Set.of(s.get(0).id(), s.get(2).id(), s.get(4).id());
      try (LoadBalancer lb = balancer(s).maxEjectionPercent(c[0])
          .healthInput(OutlierDetection.builder().consecutiveFailures(2).failurePercentageEnabled(false)
              .baseEjectionTime(Duration.ofSeconds(30)).scheduler(time).build())
          .build()) {
        Map<String, Integer> failures = traffic(lb, failing, 1_000);
        List<String> ejected = lb.servers().stream().filter(v -> v.health().ejected())
            .map(v -> v.server().id()).collect(Collectors.toList());
        assertEquals(c[1], ejected.size(), "cap " + c[0] + "%: ejected " + ejected);
        assertTrue(failing.containsAll(ejected), "only failing servers are ejected: " + ejected);
        assertFalse(lb.inPanic());
        // The failing servers the cap protects keep taking (and failing) traffic.
        for (String id : failing) {
          if (!ejected.contains(id)) {
            assertTrue(failures.getOrDefault(id, 0) > 100, id + " stays in rotation: " + failures);
          }
        }
        assertEquals(5 - c[1], pickCounts(lb, 100).size(), "picks spread over every non-ejected server");
      }
    }
  }

  @Test
  void openBreakerIsNotPickedAndHalfOpenAdmitsExactlyOneProbe() {
    List<Server> s = servers(4);
    Server bad = s.get(1);
    try (LoadBalancer lb = balancer(s)
        .healthInput(CircuitBreakers.builder().failureRateThreshold(50).slidingWindowSize(4).minimumNumberOfCalls(4)
            .waitDurationInOpenState(Duration.ofSeconds(5)).scheduler(time).build())
        .build()) {
      int reported = 0;
      for (int i = 0; i < 100 && reported < 4; i++) {
        Selection sel = lb.pick(PickContext.EMPTY);
        if (sel.server().equals(bad)) {
          sel.complete(1_000_000, Outcome.SERVER_ERROR);
          reported++;
          assertEquals(reported == 4, view(lb, bad).health().ejected(),
              "open (ejected) exactly once the minimum of 4 calls failed; after " + reported);
        } else {
          sel.complete(1_000_000, Outcome.SUCCESS);
        }
      }
      assertEquals(4, reported);
      assertEquals(0, pickCounts(lb, 200).getOrDefault(bad.id(), 0), "an open breaker's server is not picked");

      time.advance(Duration.ofSeconds(5));
      assertTrue(view(lb, bad).health().pickable(), "half-open: pickable behind an admission gate");

      // Many picks while the probe is out: exactly one reaches the half-open server.
      Selection probe = null;
      int toBad = 0;
      for (int i = 0; i < 200; i++) {
        Selection sel = lb.pick(PickContext.EMPTY);
        if (sel.server().equals(bad)) {
          toBad++;
          probe = sel;
        } else {
          sel.complete(1_000_000, Outcome.SUCCESS);
        }
      }
      assertEquals(1, toBad, "half-open admits one probe at a time");
      assertNotNull(probe);

      probe.complete(1_000_000, Outcome.SUCCESS);
      assertFalse(view(lb, bad).health().ejected());
      int share = pickCounts(lb, 400).getOrDefault(bad.id(), 0);
      assertTrue(share >= 90 && share <= 110, "closed again after a good probe: full share, was " + share + " of 400");
    }
  }

  @Test
  void failedProbeReopensTheBreaker() {
    List<Server> s = servers(4);
    Server bad = s.get(3);
    try (LoadBalancer lb = balancer(s)
        .healthInput(CircuitBreakers.builder().failureRateThreshold(50).slidingWindowSize(4).minimumNumberOfCalls(4)
            .waitDurationInOpenState(Duration.ofSeconds(5)).scheduler(time).build())
        .build()) {
      traffic(lb, Set.of(bad.id()), 16);
      assertTrue(view(lb, bad).health().ejected());
      time.advance(Duration.ofSeconds(5));
      Map<String, Integer> failures = traffic(lb, Set.of(bad.id()), 50);
      assertEquals(1, failures.getOrDefault(bad.id(), 0), "one probe, which failed");
      assertTrue(view(lb, bad).health().ejected(), "a failed probe opens the breaker again");
      assertEquals(0, pickCounts(lb, 100).getOrDefault(bad.id(), 0));
    }
  }
}
