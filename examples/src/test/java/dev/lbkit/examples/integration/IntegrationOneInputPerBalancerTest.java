package dev.lbkit.examples.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.health.ActiveHealthCheck;
import dev.lbkit.health.CheckResult;
import dev.lbkit.health.CircuitBreakers;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.health.SlowStart;
import dev.lbkit.testing.FakeScheduler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A health input keeps per-balancer state (per-server counters and timers, its control), so one
 * instance given to two balancers would mix their servers. Every input of lb-health refuses a
 * second balancer: the second {@code build()} fails, naming both clusters, and the first balancer
 * keeps its input.
 */
class IntegrationOneInputPerBalancerTest {

  private final FakeScheduler time = new FakeScheduler();
  private final List<Server> users = List.of(Server.of("10.0.0.1", 8080), Server.of("10.0.0.2", 8080));
  private final List<Server> orders = List.of(Server.of("10.0.1.1", 8080), Server.of("10.0.1.2", 8080));

  private void assertRefusedBySecondBalancer(HealthInput input) {
    try (LoadBalancer first = LoadBalancer.builder("user-service").servers(users).healthInput(input).ticker(time.ticker()).build()) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> LoadBalancer.builder("orders").servers(orders).healthInput(input).ticker(time.ticker()).build());
      assertEquals("orders: health input " + input + " failed to start: " + input
          + " is already attached to the balancer of cluster user-service; cluster orders needs its own:"
          + " an input keeps per-balancer state, so build one per balancer", e.getMessage());
      assertEquals(2, first.servers().size());
    }
  }

  @Test
  void outlierDetectionServesOneBalancer() {
    HealthInput outliers = OutlierDetection.builder().scheduler(time).build();
    assertRefusedBySecondBalancer(outliers);
  }

  @Test
  void circuitBreakersServeOneBalancer() {
    assertRefusedBySecondBalancer(CircuitBreakers.builder().scheduler(time).build());
  }

  @Test
  void slowStartServesOneBalancer() {
    assertRefusedBySecondBalancer(SlowStart.builder().scheduler(time).build());
  }

  @Test
  void activeChecksServeOneBalancer() {
    assertRefusedBySecondBalancer(ActiveHealthCheck.builder(
        s -> CompletableFuture.completedFuture(CheckResult.healthy("ok"))).scheduler(time).build());
  }

  @Test
  void theFirstBalancerKeepsItsInputWorking() {
    HealthInput outliers = OutlierDetection.builder().scheduler(time).build();
    try (LoadBalancer first = LoadBalancer.builder("user-service").servers(users).healthInput(outliers).ticker(time.ticker()).build()) {
      Supplier<LoadBalancer> second = () -> LoadBalancer.builder("orders").servers(orders).healthInput(outliers).build();
      assertThrows(IllegalStateException.class, second::get);
      // The refused balancer closed only what it had started: the detector still ejects for the first.
      for (int i = 0; i < 10; i++) {
        Selection s = first.pick(PickContext.EMPTY);
        s.complete(1_000, s.server().equals(users.get(0)) ? Outcome.SERVER_ERROR : Outcome.SUCCESS);
      }
      assertTrue(first.servers().get(0).health().ejected(), first.servers().toString());
      assertFalse(first.servers().get(1).health().ejected());
    }
  }

  @Test
  void oneInputTwiceInOneBuilderIsRefused() {
    HealthInput outliers = OutlierDetection.builder().scheduler(time).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LoadBalancer.builder("orders").servers(orders).healthInput(outliers).healthInput(outliers).build());
    assertEquals("inputs must be distinct instances, " + outliers + " is added twice", e.getMessage());
  }
}
