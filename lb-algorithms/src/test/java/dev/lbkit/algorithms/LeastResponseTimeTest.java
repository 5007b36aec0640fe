package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms.LatencyEstimate;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Picker;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LeastResponseTimeTest {

  private static final long MS = 1_000_000L;

  static List<Algorithm> variants() {
    return List.of(
        Algorithms.leastResponseTime().build(),
        Algorithms.leastResponseTime().choices(2).build(),
        Algorithms.leastResponseTime().estimate(LatencyEstimate.EWMA).build(),
        Algorithms.leastResponseTime().estimate(LatencyEstimate.EWMA).choices(2).build());
  }

  private record Pending(long at, Selection selection, long latency) {}

  /**
   * Simulates 16 concurrent callers on virtual time against 4 servers answering in 10 ms and one
   * in 100 ms, through the real runtime, whose EWMAs read the fake ticker.
   */
  @ParameterizedTest
  @MethodSource("variants")
  void tenTimesSlowerServerGetsUnderFivePercentOnceSettled(Algorithm algorithm) {
    AtomicLong now = new AtomicLong();
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      servers.add(Server.of("10.0.0." + (i + 1), 80));
    }
    Server slow = servers.get(4);
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(servers).algorithm(algorithm)
        .random(RandomSource.seeded(1)).ticker(now::get).build()) {
      PriorityQueue<Pending> pending = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
      int warmUp = 2_000;
      int measured = 20_000;
      int slowPicks = 0;
      int picks = 0;
      while (picks < warmUp + measured) {
        while (pending.size() < 16) {
          Selection s = lb.pick();
          // Latency jitters by up to ±20% around the server's mean, deterministically.
          long base = s.server().equals(slow) ? 100 * MS : 10 * MS;
          long latency = base * (80 + (picks * 37) % 41) / 100;
          pending.add(new Pending(now.get() + latency, s, latency));
          if (picks >= warmUp && s.server().equals(slow)) {
            slowPicks++;
          }
          picks++;
        }
        Pending done = pending.poll();
        now.set(done.at);
        done.selection.complete(done.latency, Outcome.SUCCESS);
      }
      double share = slowPicks / (double) measured;
      assertTrue(share < 0.05, algorithm.name() + ": slow share " + share);
    }
  }

  @Test
  void unsampledServerIsCostedAtTheMeanOfItsRivals() {
    // The class comment's example: A 10 ms, B 100 ms, C unsampled (costed at 55 ms).
    List<FakeEndpoint> fakes = FakeEndpoint.of(3);
    fakes.get(0).latency(10 * MS, 10 * MS).inFlight(2);
    fakes.get(1).latency(100 * MS, 100 * MS);
    Picker picker = Algorithms.leastResponseTime().build().newPicker(List.copyOf(fakes), new FakeAlgorithmContext(1, 3));
    assertEquals(fakes.get(0).server(), picker.pick().server()); // 30 ms beats 55 ms
    fakes.get(0).inFlight(5);
    assertEquals(fakes.get(2).server(), picker.pick().server()); // 60 ms loses to 55 ms
  }

  @Test
  void withoutAnySampleThePickIsLeastConnections() {
    List<FakeEndpoint> fakes = FakeEndpoint.of(3);
    fakes.get(0).inFlight(2);
    fakes.get(1).inFlight(0);
    fakes.get(2).inFlight(1);
    Picker picker = Algorithms.leastResponseTime().build().newPicker(List.copyOf(fakes), new FakeAlgorithmContext(1, 3));
    assertEquals(fakes.get(1).server(), picker.pick().server());
  }

  @Test
  void ewmaVariantReadsTheEwmaNotThePeak() {
    List<FakeEndpoint> fakes = FakeEndpoint.of(2);
    fakes.get(0).latency(10 * MS, 90 * MS); // a recent spike raised the peak only
    fakes.get(1).latency(20 * MS, 20 * MS);
    FakeAlgorithmContext ctx = new FakeAlgorithmContext(1, 2);
    assertEquals(fakes.get(1).server(), Algorithms.leastResponseTime().build()
        .newPicker(List.copyOf(fakes), ctx).pick().server());
    assertEquals(fakes.get(0).server(), Algorithms.leastResponseTime().estimate(LatencyEstimate.EWMA).build()
        .newPicker(List.copyOf(fakes), ctx).pick().server());
  }

  @Test
  void peakEwmaAvoidsAServerRightAfterOneSlowResponse() {
    AtomicLong now = new AtomicLong();
    Server a = Server.of("10.0.0.1", 80);
    Server b = Server.of("10.0.0.2", 80);
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(a, b)
        .algorithm(Algorithms.leastResponseTime().build())
        .random(RandomSource.seeded(1)).ticker(now::get).build()) {
      // Both settle at 10 ms.
      for (int i = 0; i < 20; i++) {
        now.addAndGet(10 * MS);
        lb.pick().complete(10 * MS, Outcome.SUCCESS);
      }
      Selection s = lb.pick();
      Server spiked = s.server();
      now.addAndGet(MS);
      s.complete(500 * MS, Outcome.SUCCESS);
      for (int i = 0; i < 10; i++) {
        Selection next = lb.pick();
        assertTrue(!next.server().equals(spiked), "picked the server that just answered in 500 ms");
        next.complete(10 * MS, Outcome.SUCCESS);
      }
    }
  }
}
