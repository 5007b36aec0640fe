package dev.lbkit.simulator.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.api.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A deploy deregisters each server before stopping it: clients that learn of it in time never
 * send it a request while it is down; clients that learn late get connection failures.
 */
class DiscoveryTest {

  private static final long SECOND = 1_000_000_000L;

  private static RunResult deploy(Duration discoveryDelay, Duration spread) {
    FleetConfig config = FleetConfig.builder()
        .seed(3)
        .clients(50)
        .servers(5)
        .workers(4)
        .service(ServiceTime.exponential(Duration.ofMillis(5)))
        .workload(Workload.open(500))
        .duration(Duration.ofSeconds(30))
        .discovery(discoveryDelay, spread)
        .deploy(new Deploy(5 * SECOND, 4 * SECOND, 5, 2 * SECOND, SECOND, 1.0, 0, true))
        .build();
    return Simulation.run(config, Variant.of("round robin", Algorithms.roundRobin()));
  }

  @Test
  void clientsThatLearnBeforeTheStopSeeNoErrors() {
    RunResult run = deploy(Duration.ofMillis(500), Duration.ofMillis(1_000));
    assertEquals(0, run.metrics().failed());
    assertEquals(0, run.metrics().attempts(Outcome.CONNECT_FAILURE) + run.metrics().attempts(Outcome.IO_ERROR));
  }

  @Test
  void clientsThatLearnLateHitTheStoppedServer() {
    RunResult run = deploy(Duration.ofMillis(1_500), Duration.ofMillis(2_000));
    assertTrue(run.metrics().attempts(Outcome.CONNECT_FAILURE) > 0, "no connect failure");
    assertEquals(run.metrics().failed(),
        run.metrics().attempts(Outcome.CONNECT_FAILURE) + run.metrics().attempts(Outcome.IO_ERROR));
  }
}
