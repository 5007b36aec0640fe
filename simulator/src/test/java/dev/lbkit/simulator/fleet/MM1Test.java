package dev.lbkit.simulator.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.algorithms.Algorithms;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole pipeline (a client's LoadBalancer, the network, a server's queue) with one client
 * and one single-worker server, no network latency, Poisson arrivals and exponential service is
 * an M/M/1 queue: mean response time 1 / (μ - λ).
 *
 * <p>Run lengths: the relative standard error of the mean sojourn time of M/M/1 falls as
 * {@code c(ρ) / sqrt(n)}, with c about 3 at ρ = 0.5 and about 19 at ρ = 0.9 (the queue's
 * autocorrelation); 200,000 and 4,000,000 requests put three standard errors under 2%.
 */
class MM1Test {

  @ParameterizedTest(name = "rho = {0}")
  @CsvSource({"0.5, 200000", "0.9, 4000000"})
  void meanResponseTimeMatchesTheFormula(double rho, long requests) {
    double mu = 100.0; // per second: a mean service time of 10 ms
    double lambda = rho * mu;
    FleetConfig config = FleetConfig.builder()
        .seed(20_261_127)
        .service(ServiceTime.exponential(Duration.ofMillis(10)))
        .workload(Workload.open(lambda))
        .requests(requests)
        .warmup(Duration.ofSeconds(100))
        .interval(Duration.ofSeconds(600))
        .build();
    RunResult run = Simulation.run(config, Variant.of("round-robin", Algorithms.roundRobin()));
    double expected = 1.0 / (mu - lambda);
    double measured = run.metrics().latency().mean() / 1e9;
    assertEquals(expected, measured, 0.02 * expected,
        "mean response time at rho " + rho + ": expected " + expected + " s, measured " + measured + " s");
    assertEquals(run.issued(), run.ended());
  }
}
