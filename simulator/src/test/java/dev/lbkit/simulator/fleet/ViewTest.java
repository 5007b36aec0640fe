package dev.lbkit.simulator.fleet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.api.Algorithm;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The views that only simulator-made endpoints can express reach the real algorithm: a live
 * board makes full-scan least connections nearly ideal, a board refreshed every second makes it
 * herd (Mitzenmacher), and power of two choices herds far less on the same stale board.
 */
class ViewTest {

  private static RunResult run(Algorithm algorithm, View view) {
    FleetConfig config = FleetConfig.builder()
        .seed(9)
        .clients(50)
        .servers(10)
        .service(ServiceTime.exponential(Duration.ofMillis(10)))
        .workload(Workload.open(800))
        .requests(40_000)
        .warmup(Duration.ofSeconds(5))
        .build();
    return Simulation.run(config, Variant.of("v", algorithm).withView(view));
  }

  private static long p99(RunResult r) {
    return r.metrics().latency().quantile(0.99);
  }

  @Test
  void staleBoardMakesLeastConnectionsHerd() {
    RunResult live = run(Algorithms.leastConnections(), View.board(0));
    RunResult stale = run(Algorithms.leastConnections(), View.board(1_000_000_000L));
    RunResult p2cStale = run(Algorithms.powerOfTwoChoices().build(), View.board(1_000_000_000L));
    RunResult own = run(Algorithms.leastConnections(), View.OWN);
    assertTrue(p99(live) < p99(own), "live board " + p99(live) + " vs own " + p99(own));
    assertTrue(p99(stale) > 10 * p99(live), "stale board " + p99(stale) + " vs live " + p99(live));
    assertTrue(p99(p2cStale) < p99(stale) / 3, "P2C on the stale board " + p99(p2cStale) + " vs LC " + p99(stale));
  }

  @Test
  void reportedLoadBeatsRandomButNotALiveBoard() {
    RunResult reported = run(Algorithms.leastConnections(), View.reported());
    RunResult random = run(Algorithms.random(), View.OWN);
    RunResult live = run(Algorithms.leastConnections(), View.board(0));
    assertTrue(p99(reported) < p99(random), "reported " + p99(reported) + " vs random " + p99(random));
    assertTrue(p99(reported) > 2 * p99(live), "reported " + p99(reported) + " vs live board " + p99(live));
  }
}
