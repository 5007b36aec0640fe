package dev.lbkit.examples.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.health.ActiveHealthCheck;
import dev.lbkit.health.CheckResult;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.testing.FakeScheduler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A three-server cluster under partial failure, with the default settings of the balancer,
 * outlier detection and active checks: B answers 503, then recovers; C is stopped. Once health
 * has reacted, at least 99% of calls must succeed, while A alone could carry them.
 *
 * <p><b>How, and why so.</b> The real {@link LoadBalancer}, {@link OutlierDetection} and {@link
 * ActiveHealthCheck}, every setting at its default, in virtual time ({@link FakeScheduler}), 100 calls
 * a second. The defaults take minutes to play out (10 s check interval, rise 2, fall 3, ejections
 * of 10, 20, 30 s...), which only virtual time makes affordable, and the run is then exactly
 * repeatable. The backends are simulated: a call to a server completes with what that server
 * does now (success, a 5xx, a refused connect) and an active check answers as its health endpoint
 * does. Each call has one attempt and no retry, so every pick the balancer gets wrong is a failed
 * call: retries and their budget would hide the very decisions under test. How real HTTP maps to
 * those outcomes (a 503 to {@code SERVER_ERROR}, a refused connection to {@code CONNECT_FAILURE})
 * is lb-okhttp's and tested there.
 */
class IntegrationPartialFailureTest {

  private static final Duration CALL_SPACING = Duration.ofMillis(10);

  /** What a simulated server does. */
  private enum Behaviour {
    OK,
    ANSWERS_503,
    STOPPED
  }

  private final FakeScheduler time = new FakeScheduler();
  private final List<Server> servers = List.of(
      Server.of("10.0.0.1", 8080), Server.of("10.0.0.2", 8080), Server.of("10.0.0.3", 8080));
  private final Server a = servers.get(0);
  private final Server b = servers.get(1);
  private final Server c = servers.get(2);
  /** What real calls to each server get. */
  private final Map<Server, Behaviour> calls = new ConcurrentHashMap<>();
  /** What each server's health endpoint answers. */
  private final Map<Server, Behaviour> checks = new ConcurrentHashMap<>();

  private LoadBalancer balancer() {
    for (Server s : servers) {
      calls.put(s, Behaviour.OK);
      checks.put(s, Behaviour.OK);
    }
    return LoadBalancer.builder("user-service").servers(servers).ticker(time.ticker()).random(RandomSource.seeded(11))
        .healthInput(OutlierDetection.builder().scheduler(time).build())
        .healthInput(ActiveHealthCheck.builder(this::check).scheduler(time).build())
        .build();
  }

  private CompletableFuture<CheckResult> check(Server server) {
    switch (checks.get(server)) {
      case OK:
        return CompletableFuture.completedFuture(CheckResult.healthy("GET /health returned 200"));
      case ANSWERS_503:
        return CompletableFuture.completedFuture(CheckResult.unhealthy("GET /health returned 503"));
      default:
        return CompletableFuture.completedFuture(CheckResult.unhealthy("connection refused"));
    }
  }

  /** Both what calls get and what the health endpoint answers. */
  private void set(Server server, Behaviour behaviour) {
    calls.put(server, behaviour);
    checks.put(server, behaviour);
  }

  /** Calls for {@code d} of virtual time, 100 a second, one attempt each; returns {succeeded, calls}. */
  private int[] traffic(LoadBalancer lb, Duration d) {
    int n = (int) (d.toMillis() / CALL_SPACING.toMillis());
    int ok = 0;
    for (int i = 0; i < n; i++) {
      Selection s = lb.pick(PickContext.EMPTY);
      switch (calls.get(s.server())) {
        case OK:
          s.complete(2_000_000, Outcome.SUCCESS);
          ok++;
          break;
        case ANSWERS_503:
          s.complete(2_000_000, Outcome.SERVER_ERROR);
          break;
        default:
          s.complete(100_000, Outcome.CONNECT_FAILURE);
          break;
      }
      time.advance(CALL_SPACING);
    }
    return new int[] {ok, n};
  }

  private static HealthState health(LoadBalancer lb, Server s) {
    return IntegrationPassiveHealthTest.view(lb, s).health();
  }

  private static void assertAtLeast99Percent(int[] okOfCalls, String phase) {
    assertTrue(okOfCalls[0] * 100L >= okOfCalls[1] * 99L,
        phase + ": " + okOfCalls[0] + " of " + okOfCalls[1] + " calls succeeded");
  }

  @Test
  void aRecoveredServerGivesItsEjectionSlotToTheNextServerThatStops() {
    try (LoadBalancer lb = balancer()) {
      assertEquals(300, traffic(lb, Duration.ofSeconds(3))[0]);

      // B answers 503 to calls for 40 s; its /health keeps answering 200 (a shallow check, the
      // common case). Outlier detection ejects it, again and again, for longer each time.
      calls.put(b, Behaviour.ANSWERS_503);
      traffic(lb, Duration.ofSeconds(40));
      // B recovers, and passes its next active check.
      calls.put(b, Behaviour.OK);
      traffic(lb, Duration.ofSeconds(12));
      assertTrue(health(lb, b).pickable(), "the check re-admitted B: " + health(lb, b));

      // C is stopped.
      set(c, Behaviour.STOPPED);
      int[] afterStop = traffic(lb, Duration.ofSeconds(60));

      assertAtLeast99Percent(afterStop, "after C stopped");
      assertTrue(health(lb, b).pickable(), health(lb, b).toString());
      assertFalse(health(lb, c).pickable(), health(lb, c).toString());
      assertFalse(lb.inPanic());
    }
  }

  @Test
  void withOneServerEjectedAndOneStoppedPanicSendsEveryCallToTheLastGoodServer() {
    try (LoadBalancer lb = balancer()) {
      traffic(lb, Duration.ofSeconds(3));

      // B answers 503 to everything, /health included, and C is stopped: only A is left.
      set(b, Behaviour.ANSWERS_503);
      set(c, Behaviour.STOPPED);
      // Health reacts: B is ejected after 5 failures, C cannot be (the 10% cap allows one
      // ejection in three servers), and both fail three checks in a row within 31 s.
      traffic(lb, Duration.ofSeconds(35));
      assertEquals(HealthState.Status.UNHEALTHY, health(lb, c).status(), health(lb, c).toString());
      assertFalse(health(lb, b).pickable(), health(lb, b).toString());
      assertTrue(lb.inPanic(), "1 of 3 servers pickable, below the 50% panic threshold");

      int[] inPanic = traffic(lb, Duration.ofSeconds(60));

      assertAtLeast99Percent(inPanic, "in panic with B and C out");
    }
  }
}
