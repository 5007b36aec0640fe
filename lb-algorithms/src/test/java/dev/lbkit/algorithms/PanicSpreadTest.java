package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeHealthInput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What panic spreads over: every judged, non-draining server except those that fresh passive
 * evidence rules out, that is a passive ejection or a real call that just failed. Panic exists
 * for health data that is wrong; a server that real calls have just failed against is not wrong
 * data.
 */
class PanicSpreadTest {

  private final FakeHealthInput health = new FakeHealthInput();

  private LoadBalancer lb(List<Server> servers) {
    return LoadBalancer.builder("user-service").servers(servers).healthInput(health)
        .random(RandomSource.seeded(7)).build();
  }

  /** Picks until {@code server} is picked, and reports {@code outcome} for that pick. */
  private static void callFails(LoadBalancer lb, Server server, Outcome outcome) {
    for (int i = 0; i < 100; i++) {
      Selection s = lb.pick(PickContext.EMPTY);
      s.complete(1_000, s.server().equals(server) ? outcome : Outcome.SUCCESS);
      if (s.server().equals(server)) {
        return;
      }
    }
    throw new AssertionError(server.id() + " never picked");
  }

  @Test
  void aSmallClusterWithOneServerEjectedAndOneRefusingSpreadsOverNeither() {
    List<Server> s = HealthFakes.servers(3, 0, 0);
    Server a = s.get(0);
    Server b = s.get(1);
    Server c = s.get(2);
    try (LoadBalancer lb = lb(s)) {
      // b answers 503 and is ejected: it holds the only slot the 10% cap allows in three servers.
      callFails(lb, b, Outcome.SERVER_ERROR);
      assertTrue(health.control().eject(b, "5 consecutive failures (last: SERVER_ERROR)"));
      // c stops: its calls are refused, the cap keeps it in, until its checks mark it down.
      callFails(lb, c, Outcome.CONNECT_FAILURE);
      assertFalse(health.control().eject(c, "5 consecutive failures (last: CONNECT_FAILURE)"));
      health.control().setActive(c, ActiveHealth.UNHEALTHY, "connection refused");

      assertTrue(lb.inPanic(), "1 of 3 servers pickable, below 50%");
      assertEquals(Map.of(a.id(), 300), HealthFakes.pickCounts(lb, 300),
          "no pick for the ejected server, none for the one whose calls were refused");
    }
  }

  @Test
  void panicStillSpreadsOverServersThatOnlyActiveChecksRuleOut() {
    List<Server> s = HealthFakes.servers(4, 0, 0);
    try (LoadBalancer lb = lb(s)) {
      HealthFakes.pickCounts(lb, 8); // every server answered its last real call
      for (int i = 1; i < 4; i++) {
        health.control().setActive(s.get(i), ActiveHealth.UNHEALTHY, "GET /health returned 503");
      }
      assertTrue(lb.inPanic());
      Map<String, Integer> counts = HealthFakes.pickCounts(lb, 400);
      assertEquals(4, counts.size(), "a check that fails while real calls succeed may be wrong: " + counts);
    }
  }

  @Test
  void aServerWhoseRealCallFailsDuringPanicLeavesTheSpreadAtOnce() {
    List<Server> s = HealthFakes.servers(4, 0, 0);
    try (LoadBalancer lb = lb(s)) {
      for (int i = 1; i < 4; i++) {
        health.control().setActive(s.get(i), ActiveHealth.UNHEALTHY, "GET /health returned 503");
      }
      assertEquals(4, HealthFakes.pickCounts(lb, 400).size());

      callFails(lb, s.get(2), Outcome.CONNECT_FAILURE);

      Map<String, Integer> counts = HealthFakes.pickCounts(lb, 300);
      assertEquals(3, counts.size(), counts.toString());
      assertFalse(counts.containsKey(s.get(2).id()));
    }
  }

  @Test
  void aServerRejoinsTheSpreadWhenItsChecksPass() {
    List<Server> s = HealthFakes.servers(4, 0, 0);
    try (LoadBalancer lb = lb(s)) {
      callFails(lb, s.get(3), Outcome.CONNECT_FAILURE);
      for (int i = 1; i < 4; i++) {
        health.control().setActive(s.get(i), ActiveHealth.UNHEALTHY, "connection refused");
      }
      assertFalse(HealthFakes.pickCounts(lb, 300).containsKey(s.get(3).id()));
      health.control().setActive(s.get(3), ActiveHealth.HEALTHY, "connected");
      assertFalse(lb.inPanic(), "2 of 4 pickable");
      assertEquals(Map.of(s.get(0).id(), 150, s.get(3).id(), 150), HealthFakes.pickCounts(lb, 300));
    }
  }

  @Test
  void whenEveryServerHasFailedRealCallsPanicSpreadsOverThemAll() {
    List<Server> s = HealthFakes.servers(3, 0, 0);
    try (LoadBalancer lb = lb(s)) {
      for (Server server : s) {
        callFails(lb, server, Outcome.CONNECT_FAILURE);
      }
      for (Server server : s) {
        health.control().setActive(server, ActiveHealth.UNHEALTHY, "connection refused");
      }
      assertTrue(lb.inPanic());
      // Nothing is known to be better: trying beats failing every call.
      assertEquals(3, HealthFakes.pickCounts(lb, 300).size());
    }
  }
}
