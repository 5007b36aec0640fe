package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.HealthFakes.FakeWeightedRandom;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrainTest {

  private final List<Server> s = HealthFakes.servers(3, 0, 0);

  private LoadBalancer lb() {
    return LoadBalancer.builder("c").servers(s).algorithm(new FakeWeightedRandom())
        .random(RandomSource.seeded(3)).build();
  }

  @Test
  void drainingServerGetsNoNewPicksWhileItsInFlightCallsFinish() {
    try (LoadBalancer lb = lb()) {
      List<Selection> inFlight = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        Selection sel = lb.pick(PickContext.EMPTY);
        if (sel.server().equals(s.get(0))) {
          inFlight.add(sel);
        } else {
          sel.complete(0, Outcome.SUCCESS);
        }
      }
      int held = inFlight.size();
      assertTrue(held > 50, "server 0 has in-flight calls: " + held);
      lb.drain(s.get(0));
      ServerView view = lb.servers().get(0);
      assertEquals("draining", view.health().reason());
      assertEquals(held, view.inFlight());
      assertFalse(HealthFakes.pickCounts(lb, 1000).containsKey(s.get(0).id()));
      for (Selection sel : inFlight) {
        sel.complete(1_000, Outcome.SUCCESS);
      }
      assertEquals(0, lb.servers().get(0).inFlight(), "in-flight calls finished and were counted");
      assertEquals(Outcome.SUCCESS, lb.servers().get(0).lastOutcome());
      lb.undrain(s.get(0));
      assertTrue(HealthFakes.pickCounts(lb, 1000).containsKey(s.get(0).id()));
    }
  }

  @Test
  void drainingEveryServerFailsPicksWithTheReason() {
    try (LoadBalancer lb = lb()) {
      s.forEach(lb::drain);
      NoAvailableServerException e = assertThrows(NoAvailableServerException.class, () -> lb.pick(PickContext.EMPTY));
      assertEquals("c: 0 of 3 servers pickable (3 draining); every server is draining", e.getMessage());
    }
  }

  @Test
  void drainedServersDoNotCountTowardsPanic() {
    try (LoadBalancer lb = lb()) {
      lb.drain(s.get(0));
      lb.drain(s.get(1));
      assertFalse(lb.inPanic());
      assertEquals(1, HealthFakes.pickCounts(lb, 100).size());
    }
  }

  @Test
  void drainOfAnUnknownServerIsIgnored() {
    try (LoadBalancer lb = lb()) {
      lb.drain(Server.of("10.9.9.9", 80));
      assertEquals(3, HealthFakes.pickCounts(lb, 300).size());
    }
  }
}
