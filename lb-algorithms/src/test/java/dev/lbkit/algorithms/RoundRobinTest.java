package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeEndpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RoundRobinTest {

  @Property(tries = 100, seed = "3")
  void everyServerGetsExactlyKOfKTimesNPicks(
      @ForAll @IntRange(min = 1, max = 64) int n, @ForAll @IntRange(min = 1, max = 5) int k,
      @ForAll long seed) {
    List<Endpoint> eps = List.copyOf(FakeEndpoint.of(n));
    Picker picker = Algorithms.roundRobin().newPicker(eps, new FakeAlgorithmContext(seed, n));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < k * n; i++) {
      counts.merge(picker.pick().server().id(), 1, Integer::sum);
    }
    assertEquals(n, counts.size());
    counts.values().forEach(c -> assertEquals(k, c));
  }

  @Test
  void newSnapshotsStartAtDifferentServers() {
    List<Endpoint> eps = List.copyOf(FakeEndpoint.of(10));
    FakeAlgorithmContext ctx = new FakeAlgorithmContext(7, 10);
    Set<String> firsts = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      firsts.add(Algorithms.roundRobin().newPicker(eps, ctx).pick().server().id());
    }
    // 50 uniform starts over 10 servers all land on at most 5 servers with probability < 1e-10.
    assertEquals(true, firsts.size() > 5, "distinct first picks: " + firsts);
  }

  @Test
  void skipsAvoidedServersInOrder() {
    List<FakeEndpoint> fakes = FakeEndpoint.of(3);
    Picker picker = Algorithms.roundRobin().newPicker(List.copyOf(fakes), new FakeAlgorithmContext(1, 3));
    PickContext avoidB = PickContext.builder().avoid(fakes.get(1).server()).build();
    for (int i = 0; i < 30; i++) {
      assertEquals(false, picker.pick(avoidB).server().equals(fakes.get(1).server()));
    }
  }
  @Test
  void rotationStaysExactAcrossTheIntWrapOfThePickCounter() {
    // 3 does not divide 2^32: a 32-bit counter wrapping from MAX_VALUE to MIN_VALUE would give
    // the same server twice in a row and skip another.
    List<FakeEndpoint> fakes = FakeEndpoint.of(3);
    List<Server> servers = fakes.stream().map(FakeEndpoint::server).collect(Collectors.toList());
    Picker picker = new RoundRobin.RoundRobinPicker(
        fakes.toArray(new Endpoint[0]), new FakeAlgorithmContext(1, 3), Integer.MAX_VALUE - 4);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      order.add(servers.indexOf(picker.pick().server()));
    }
    int first = order.get(0);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      expected.add((first + i) % 3);
    }
    assertEquals(expected, order);
  }

  @Test
  void smallClustersRotateExactlyAcrossTheRepeatedCyclesEnd() {
    // Lists shorter than MIN_POSITIONS are repeated; a repetition that is not a whole number of
    // lists, or a reduction that does not land on a list boundary, would break the rotation
    // where the cycle wraps.
    for (int n = 1; n <= 2 * Rotation.MIN_POSITIONS + 1; n++) {
      List<FakeEndpoint> fakes = FakeEndpoint.of(n);
      List<Server> servers = fakes.stream().map(FakeEndpoint::server).collect(Collectors.toList());
      for (long start : new long[] {0, n - 1, 7L * n + 2}) {
        Picker picker = new RoundRobin.RoundRobinPicker(
            fakes.toArray(new Endpoint[0]), new FakeAlgorithmContext(1, n), start);
        int first = (int) Math.floorMod(start, (long) n);
        for (int i = 0; i < 3 * Rotation.MIN_POSITIONS + 3 * n; i++) {
          assertEquals((first + i) % n, servers.indexOf(picker.pick().server()),
              "n=" + n + ", start=" + start + ", pick " + i);
        }
      }
    }
  }

  @Test
  void concurrentPicksShareExactlyWhileTheCounterIsReducedBack() throws Exception {
    List<FakeEndpoint> fakes = FakeEndpoint.of(6);
    Picker picker = Algorithms.roundRobin().newPicker(List.copyOf(fakes), new FakeAlgorithmContext(1, 6));
    java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> counts =
        new java.util.concurrent.ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 30_000; i++) {
          counts.computeIfAbsent(picker.pick(PickContext.EMPTY).server().id(),
              k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(30_000);
    }
    // Every pick takes a distinct step of the rotation, racing or not: 120,000 / 6 each.
    assertEquals(6, counts.size());
    counts.values().forEach(c -> assertEquals(20_000, c.get()));
  }

  @Test
  void perThreadVariantRotatesExactlyWithinEachThreadAndCoversEveryServer() throws Exception {
    List<FakeEndpoint> endpoints = FakeEndpoint.of(5);
    dev.lbkit.api.Picker picker = Algorithms.perThreadRoundRobin()
        .newPicker(List.copyOf(endpoints), new FakeAlgorithmContext(3, 5));
    java.util.Map<String, Integer> total = new java.util.concurrent.ConcurrentHashMap<>();
    List<Thread> threads = new java.util.ArrayList<>();
    List<AssertionError> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        java.util.Map<String, Integer> own = new java.util.HashMap<>();
        String previous = null;
        for (int i = 0; i < 5 * 200; i++) {
          String id = picker.pick(dev.lbkit.api.PickContext.EMPTY).server().id();
          own.merge(id, 1, Integer::sum);
          total.merge(id, 1, Integer::sum);
          if (id.equals(previous)) {
            failures.add(new AssertionError("the same server twice in a row: " + id));
          }
          previous = id;
        }
        if (own.size() != 5 || !own.values().stream().allMatch(c -> c == 200)) {
          failures.add(new AssertionError("one thread's 1,000 picks are not 200 each: " + own));
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(10_000);
    }
    assertEquals(List.of(), failures);
    assertEquals(5, total.size());
    assertEquals(4_000, total.values().stream().mapToInt(Integer::intValue).sum());
  }
}
