package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Outcome;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.testing.FakeTicker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Leaked selections (picked, never completed) keep their server's in-flight count for ever. With
 * leak detection on, views count the selections open longer than the limit, and each one is
 * logged once at WARN with the stack of the pick that made it.
 */
class LeakDetectionTest {

  private final FakeTicker ticker = new FakeTicker();
  private final List<Server> servers = HealthFakes.servers(3, 0, 0);

  private LoadBalancer lb(Duration limit) {
    return LoadBalancer.builder("orders").servers(servers).algorithm(Algorithms.leastConnections())
        .random(RandomSource.seeded(5)).ticker(ticker).leakDetection(limit).build();
  }

  private static List<Integer> openTooLong(LoadBalancer lb) {
    return lb.servers().stream().map(ServerView::openTooLong).collect(Collectors.toList());
  }

  /** Runs {@code action}; returns what it logged at WARN. */
  private static String warnings(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  /** Leaks one selection: the pick site the warning must show. */
  private static Selection leakOne(LoadBalancer lb) {
    return lb.pick();
  }

  @Test
  void aSelectionOpenPastTheLimitIsCountedAndLoggedOnceWithWhereItWasPicked() {
    try (LoadBalancer lb = lb(Duration.ofSeconds(30))) {
      Selection leaked = leakOne(lb);
      List<Selection> done = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Selection s = lb.pick();
        done.add(s);
        s.complete(1_000, Outcome.SUCCESS);
      }
      int leakedIndex = servers.indexOf(leaked.server());
      ticker.advance(Duration.ofSeconds(29));
      assertEquals(List.of(0, 0, 0), openTooLong(lb), "within the limit");

      ticker.advance(Duration.ofSeconds(2));
      List<List<Integer>> counts = new ArrayList<>();
      String log = warnings(() -> counts.add(openTooLong(lb)));
      List<Integer> expected = new ArrayList<>(List.of(0, 0, 0));
      expected.set(leakedIndex, 1);
      assertEquals(expected, counts.get(0));
      assertEquals(1, lb.servers().get(leakedIndex).inFlight(), "the leak holds an in-flight count");
      assertTrue(log.contains("WARN dev.lbkit.algorithms.OpenSelections - orders: a selection of "
          + leaked.server().id() + " has been open for 31s, over the 30s limit: complete every selection"
          + " exactly once (through OkHttp: close every response). Picked at:"), log);
      assertTrue(log.contains("at dev.lbkit.algorithms.LeakDetectionTest.leakOne("), "the pick's stack: " + log);

      assertEquals("", warnings(() -> counts.add(openTooLong(lb))), "logged once");
      assertEquals(expected, counts.get(1), "still counted while open");
      leaked.complete(1_000, Outcome.SUCCESS);
      assertEquals(List.of(0, 0, 0), openTooLong(lb));
      assertEquals(0, lb.servers().get(leakedIndex).inFlight());
    }
  }

  @Test
  void offByDefaultNothingIsCounted() {
    try (LoadBalancer lb = LoadBalancer.builder("orders").servers(servers).ticker(ticker).build()) {
      lb.pick();
      ticker.advance(Duration.ofHours(1));
      assertEquals(List.of(0, 0, 0), openTooLong(lb));
    }
  }

  @Test
  void theLimitMustBePositive() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LoadBalancer.builder("orders").servers(servers).leakDetection(Duration.ZERO).build());
    assertEquals("leakDetection must be positive, was PT0S", e.getMessage());
  }
}
