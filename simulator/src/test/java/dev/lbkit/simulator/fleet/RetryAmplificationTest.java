package dev.lbkit.simulator.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.internal.RetryBackoff;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * Retries through lb-okhttp's own retry budget and throttle, in a total and a partial outage: the
 * throttle holds a total outage to about one attempt per call, and lets retries save every call
 * when one server in five fails.
 */
class RetryAmplificationTest {

  private static final long SECOND = 1_000_000_000L;
  private static final RetryControl.Budget BUDGET = new RetryControl.Budget(30, 10, Duration.ofSeconds(10));
  private static final RetryControl.Throttle THROTTLE = new RetryControl.Throttle(20, 10, 20);

  /** 10 clients, 5 servers; {@code failing} servers answer 5xx from 2 s on; 3 attempts per call. */
  private static FleetConfig fleet(int failing) {
    FleetConfig.Builder b = FleetConfig.builder()
        .seed(5)
        .clients(10)
        .servers(5)
        .workers(8)
        .service(ServiceTime.exponential(Duration.ofMillis(2)))
        .network(Network.of(Duration.ofMillis(1), Duration.ZERO))
        .workload(Workload.open(100))
        .duration(Duration.ofSeconds(22))
        .warmup(Duration.ofSeconds(2))
        .maxAttempts(3)
        .retryOn(EnumSet.of(Outcome.CONNECT_FAILURE, Outcome.SERVER_ERROR));
    for (int i = 0; i < failing; i++) {
      b.fault(new Fault(Fault.Kind.FAIL_FAST, i, 2 * SECOND, 100 * SECOND, 1.0, 1.0, 0));
    }
    return b.build();
  }

  private static Metrics run(int failing, RetryControl retry, double clientRate) {
    Variant v = new Variant("v", Algorithms.roundRobin(), View.OWN, null, false, Variant.Key.NONE, null, retry, clientRate);
    return Simulation.run(fleet(failing), v).metrics();
  }

  @Test
  void aTotalOutageCostsEveryAttemptWithoutABudgetAndTheReserveWithOne() {
    Metrics none = run(5, RetryControl.NONE, 10);
    assertEquals(3.0, none.attemptsPerRequest(), 1e-9, "no budget: every call tries three times");
    Metrics budget = run(5, new RetryControl(BUDGET, null), 10);
    assertTrue(budget.attemptsPerRequest() > 1.3, "the budget's reserve pays for most retries at 10 calls/s: "
        + budget.attemptsPerRequest());
    assertTrue(budget.retriesOverBudget() > 0);
  }

  @Test
  void theThrottleHoldsATotalOutageToOneAttemptPerCallAtEveryRate() {
    for (double rate : new double[] {10, 100, 1_000}) {
      Metrics m = run(5, new RetryControl(BUDGET, THROTTLE), rate);
      assertTrue(m.attemptsPerRequest() <= 1.1, rate + " calls/s per client: " + m.attemptsPerRequest());
      assertTrue(m.retriesThrottled() > 0);
    }
  }

  @Test
  void withOneServerInFiveFailingRetriesStillSaveEveryCall() {
    for (double rate : new double[] {10, 100}) {
      Metrics m = run(1, new RetryControl(BUDGET, THROTTLE), rate);
      assertEquals(0, m.failed(), rate + " calls/s per client: failed calls");
      assertTrue(m.retries() > 0);
      assertEquals(0, m.retriesThrottled(), "the cluster is not failing as a whole");
    }
  }

  @Test
  void aRetryWaitsLbOkHttpsBackoff() {
    // One server in five fails fast, so about a fifth of the calls retry: their latency is the
    // first attempt, the backoff, and the second attempt. Without a budget or throttle in the way.
    RetryBackoff fixed = new RetryBackoff(Duration.ofMillis(100), Duration.ofMillis(100), 1, 0);
    Metrics waiting = run(1, new RetryControl(null, null, fixed), 10);
    Metrics atOnce = run(1, new RetryControl(null, null, new RetryBackoff(Duration.ZERO, Duration.ZERO, 1, 0)), 10);
    assertTrue(waiting.retries() > 0 && atOnce.retries() > 0);
    assertEquals(0, waiting.failed());
    assertTrue(waiting.latency().quantile(0.99) >= 100_000_000L,
        "p99 includes the 100 ms backoff: " + waiting.latency().quantile(0.99));
    assertTrue(atOnce.latency().quantile(0.99) < 50_000_000L,
        "p99 without a backoff: " + atOnce.latency().quantile(0.99));
  }

  @Test
  void retriesWaitLbOkHttpsDefaultBackoffUnlessToldOtherwise() {
    assertEquals(RetryBackoff.DEFAULT, RetryControl.NONE.backoff());
    assertEquals(RetryBackoff.DEFAULT, new RetryControl(BUDGET, THROTTLE).backoff());
  }

  @Test
  void aClientRateNeedsAnOpenLoop() {
    FleetConfig closed = FleetConfig.builder().clients(2).servers(2).service(ServiceTime.fixed(Duration.ofMillis(1)))
        .workload(Workload.closed(1, 0)).duration(Duration.ofSeconds(1)).build();
    Variant v = new Variant("v", Algorithms.roundRobin(), View.OWN, null, false, Variant.Key.NONE, null,
        RetryControl.NONE, 5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Simulation.run(closed, v));
    assertTrue(e.getMessage().startsWith("variant v: clientRate needs an open workload"), e.getMessage());
  }
}
