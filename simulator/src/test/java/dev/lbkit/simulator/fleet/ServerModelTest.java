package dev.lbkit.simulator.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.api.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The server model's arithmetic, with fixed service times and one closed-loop user, so that no
 * request ever waits: speed, slowness, network hops, fail-fast and refused connections give
 * exact latencies.
 */
class ServerModelTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long MS = 1_000_000L;

  private static FleetConfig.Builder sparse() {
    return FleetConfig.builder()
        .seed(1)
        .service(ServiceTime.fixed(Duration.ofMillis(10)))
        .workload(Workload.closed(1, 100 * MS)) // one request at a time: none waits
        .duration(Duration.ofSeconds(60));
  }

  private static RunResult run(FleetConfig config) {
    return Simulation.run(config, Variant.of("round robin", Algorithms.roundRobin()));
  }

  @Test
  void aServerAtHalfSpeedTakesTwiceAsLong() {
    RunResult r = run(sparse().speed(0, 0.5).build());
    assertEquals(20 * MS, r.metrics().latency().min());
    assertEquals(20 * MS, r.metrics().latency().max());
  }

  @Test
  void theNetworkAddsOneHopEachWay() {
    RunResult r = run(sparse().network(Network.of(Duration.ofMillis(1), Duration.ZERO)).build());
    assertEquals(12 * MS, r.metrics().latency().min());
    assertEquals(12 * MS, r.metrics().latency().max());
  }

  @Test
  void aSlowFaultMultipliesServiceTimesForItsPeriod() {
    RunResult r = run(sparse().fault(new Fault(Fault.Kind.SLOW, 0, 10 * SECOND, 10 * SECOND, 3.0, 1.0, 0)).build());
    assertEquals(10 * MS, r.metrics().latency().min());
    assertEquals(30 * MS, r.metrics().latency().max());
  }

  @Test
  void failFastAnswersAnErrorWithoutService() {
    RunResult r = run(sparse().fault(new Fault(Fault.Kind.FAIL_FAST, 0, 0, 100 * SECOND, 1.0, 1.0, 0)).build());
    assertEquals(r.metrics().requests(), r.metrics().attempts(Outcome.SERVER_ERROR));
    assertEquals(FleetConfig.DEFAULT_FAIL_FAST_LATENCY.toNanos(), r.metrics().latency().max());
  }

  @Test
  void refusedConnectionsAreRetriedOnAnotherServer() {
    RunResult r = run(sparse().servers(2).maxAttempts(2)
        .fault(new Fault(Fault.Kind.REFUSE, 0, 0, 100 * SECOND, 1.0, 1.0, 0)).build());
    assertEquals(0, r.metrics().failed());
    assertEquals(r.metrics().retries(), r.metrics().attempts(Outcome.CONNECT_FAILURE));
    // The refusal costs no time without a network; the retry waits lb-okhttp's first backoff,
    // 25 ms ± 50%, then 10 ms of service.
    long max = r.metrics().latency().max();
    assertTrue(max >= 10 * MS + 12_500_000L && max < 10 * MS + 37_500_000L, "slowest call " + max);
  }

  @Test
  void aFullQueueRejectsWithAServerError() {
    FleetConfig config = FleetConfig.builder()
        .seed(1)
        .service(ServiceTime.fixed(Duration.ofMillis(100)))
        .workload(Workload.open(1_000))
        .requests(100)
        .queueLimit(5)
        .build();
    RunResult r = run(config);
    assertEquals(r.metrics().attempts(Outcome.SERVER_ERROR), r.metrics().failed());
    assertEquals(100 - r.metrics().failed(), r.metrics().attempts(Outcome.SUCCESS));
  }
}
