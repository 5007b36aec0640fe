package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.HealthFakes.FakeWeightedRandom;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.api.ServerView;
import dev.lbkit.testing.FakeServerSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Drains pushed by a server source, through {@code ServerSource.Listener#onServers(List, Collection)}. */
class SourceDrainTest {

  private final List<Server> s = HealthFakes.servers(3, 0, 0);
  private final FakeServerSource source = new FakeServerSource();

  private LoadBalancer lb() {
    return LoadBalancer.builder("c").source(source).algorithm(new FakeWeightedRandom())
        .random(RandomSource.seeded(7)).build();
  }

  private static ServerView view(LoadBalancer lb, Server server) {
    return lb.servers().stream().filter(v -> v.server().id().equals(server.id())).findFirst().orElseThrow();
  }

  @Test
  void aServerPushedDrainingStaysInTheClusterWithNoNewPicksAndItsCallsFinish() {
    try (LoadBalancer lb = lb()) {
      source.push(s);
      List<Selection> inFlight = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        Selection sel = lb.pick(PickContext.EMPTY);
        if (sel.server().equals(s.get(1))) {
          inFlight.add(sel);
        } else {
          sel.complete(0, Outcome.SUCCESS);
        }
      }
      assertTrue(inFlight.size() > 50, "server 1 has in-flight calls: " + inFlight.size());

      source.push(s, List.of(s.get(1)));

      assertEquals(3, lb.servers().size(), "a draining server stays in the cluster");
      assertEquals("draining", view(lb, s.get(1)).health().reason());
      assertEquals(inFlight.size(), view(lb, s.get(1)).inFlight());
      assertFalse(HealthFakes.pickCounts(lb, 1000).containsKey(s.get(1).id()));
      for (Selection sel : inFlight) {
        sel.complete(1_000, Outcome.SUCCESS);
      }
      assertEquals(0, view(lb, s.get(1)).inFlight(), "in-flight calls finished and were counted");

      source.push(s);
      assertTrue(HealthFakes.pickCounts(lb, 1000).containsKey(s.get(1).id()), "a list without the drain ends it");
    }
  }

  @Test
  void aServerThatArrivesDrainingIsNeverOffered() {
    try (LoadBalancer lb = lb()) {
      source.push(s.subList(0, 2));
      source.push(s, List.of(s.get(2)));
      assertEquals("draining", view(lb, s.get(2)).health().reason());
      Map<String, Integer> counts = HealthFakes.pickCounts(lb, 1000);
      assertEquals(Map.of(s.get(0).id(), counts.get(s.get(0).id()), s.get(1).id(), counts.get(s.get(1).id())), counts);
    }
  }

  @Test
  void theSourcesDrainAndTheUsersDrainEndEachByItsOwnHand() {
    try (LoadBalancer lb = lb()) {
      source.push(s, List.of(s.get(0)));
      lb.drain(s.get(0));
      source.push(s);
      assertEquals("draining", view(lb, s.get(0)).health().reason(), "the user's drain holds");
      lb.undrain(s.get(0));
      assertTrue(HealthFakes.pickCounts(lb, 1000).containsKey(s.get(0).id()));

      lb.drain(s.get(2));
      source.push(s, List.of(s.get(2)));
      lb.undrain(s.get(2));
      assertEquals("draining", view(lb, s.get(2)).health().reason(), "the source's drain holds");
    }
  }

  @Test
  void aServerTheSourceStopsListingIsRemovedDrainingOrNot() {
    try (LoadBalancer lb = lb()) {
      source.push(s, List.of(s.get(0)));
      source.push(s.subList(1, 3));
      assertEquals(2, lb.servers().size());
      source.push(s);
      assertTrue(HealthFakes.pickCounts(lb, 1000).containsKey(s.get(0).id()), "it returns without its old drain");
    }
  }

  @Test
  void aDrainingServerMissingFromTheListIsRejectedAndTheLastListKept() {
    try (LoadBalancer lb = lb()) {
      source.push(s);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> source.push(s.subList(0, 2), List.of(s.get(2))));
      assertEquals("draining: " + s.get(2).id() + " is not in servers", e.getMessage());
      assertEquals(3, lb.servers().size());
    }
  }

  @Test
  void aListenerWrittenBeforeDrainsSeesDrainingServersAsRemoved() {
    List<List<Server>> seen = new ArrayList<>();
    ServerSource.Listener old = seen::add;
    old.onServers(s, List.of(s.get(1)));
    old.onServers(s, List.of());
    assertEquals(List.of(List.of(s.get(0), s.get(2)), s), seen);
  }
}
