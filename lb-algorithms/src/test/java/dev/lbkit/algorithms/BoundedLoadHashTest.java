package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.testing.FakeEndpoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BoundedLoadHashTest {

  private static BoundedLoadHash.BoundedPicker picker(List<FakeEndpoint> eps, double epsilon, long seed) {
    return (BoundedLoadHash.BoundedPicker) Algorithms.boundedLoadHash().epsilon(epsilon).build()
        .newPicker(List.copyOf(eps), new FakeAlgorithmContext(seed, eps.size()));
  }

  private static int indexOf(BoundedLoadHash.BoundedPicker p, Selection s) {
    FakeEndpoint e = ((FakeEndpoint.FakeSelection) s).endpoint();
    for (int i = 0; i < p.ringEndpoints().length; i++) {
      if (p.ringEndpoints()[i] == e) {
        return i;
      }
    }
    throw new AssertionError(e);
  }

  @Property(tries = 40, seed = "61")
  void admissionNeverExceedsTheCap(
      @ForAll @IntRange(min = 1, max = 64) int n, @ForAll long seed) {
    Random r = new Random(seed);
    int[] w = new int[n];
    for (int i = 0; i < n; i++) {
      w[i] = 1 + r.nextInt(1000);
    }
    List<FakeEndpoint> eps = FakeEndpoint.weighted(w);
    double epsilon = 0.05 + r.nextDouble();
    BoundedLoadHash.BoundedPicker p = picker(eps, epsilon, seed);
    Deque<Selection> open = new ArrayDeque<>();
    for (int i = 0; i < 2000; i++) {
      long total = p.totalInFlight();
      // A few hot keys take most requests; completions lag behind picks.
      String key = r.nextInt(4) == 0 ? "key-" + r.nextInt(100_000) : "hot-" + r.nextInt(3);
      Selection s = p.pick(PickContext.ofKey(key));
      int i0 = indexOf(p, s);
      int after = p.ringEndpoints()[i0].inFlight();
      assertTrue(after <= p.cap(i0, total), "server " + i0 + " at " + after + " over cap " + p.cap(i0, total));
      open.add(s);
      if (r.nextInt(3) == 0) {
        open.poll().complete(1, Outcome.SUCCESS);
      }
    }
  }

  @Test
  void capMatchesThePaperWithEqualWeights() {
    BoundedLoadHash.BoundedPicker p = picker(FakeEndpoint.of(4), 0.25, 1);
    assertEquals(3, p.cap(0, 7)); // ceil(1.25 × 8 / 4)
    assertEquals(1, p.cap(0, 0)); // ceil(1.25 × 1 / 4)
    assertEquals(32, p.cap(3, 100)); // ceil(1.25 × 101 / 4) = ceil(31.56)
  }

  @Test
  void idleClusterFollowsTheRing() {
    List<FakeEndpoint> eps = FakeEndpoint.of(20);
    BoundedLoadHash.BoundedPicker bounded = picker(eps, 0.25, 1);
    Picker ring = Algorithms.ringHash().build().newPicker(List.copyOf(eps), new FakeAlgorithmContext(1, 20));
    for (int k = 0; k < 1000; k++) {
      PickContext ctx = PickContext.ofKey("user-" + k);
      Selection s = bounded.pick(ctx);
      assertEquals(ring.pick(ctx).server(), s.server());
      s.complete(1, Outcome.SUCCESS);
    }
  }

  @Test
  void hotKeySpreadsInsteadOfPilingUp() {
    List<FakeEndpoint> eps = FakeEndpoint.of(10);
    BoundedLoadHash.BoundedPicker p = picker(eps, 0.25, 1);
    for (int i = 0; i < 100; i++) {
      p.pick(PickContext.ofKey("hot"));
    }
    // After 100 admissions the cap for the last was ceil(1.25 × 100 / 10) = 13.
    for (FakeEndpoint e : eps) {
      assertTrue(e.inFlight() <= 13, e.toString());
    }
    assertTrue(eps.stream().filter(e -> e.inFlight() > 0).count() >= 8);
  }

  @Test
  void concurrentAdmissionsStayUnderTheFinalCap() throws Exception {
    List<FakeEndpoint> eps = FakeEndpoint.of(8);
    BoundedLoadHash.BoundedPicker p = (BoundedLoadHash.BoundedPicker) Algorithms.boundedLoadHash().build()
        .newPicker(List.copyOf(eps), new FakeAlgorithmContext(dev.lbkit.api.RandomSource.threadLocal(), 8));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 2000; i++) {
            p.pick(PickContext.ofKey(i % 5 == 0 ? "k" + thread + "-" + i : "hot"));
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    long total = p.totalInFlight();
    assertEquals(8000, total);
    // Each admission's cap used a total no larger than the final one.
    for (int i = 0; i < eps.size(); i++) {
      assertTrue(p.ringEndpoints()[i].inFlight() <= p.cap(i, total - 1), p.ringEndpoints()[i].toString());
    }
  }

  @Test
  void refusesRatherThanBreakTheBoundWhenOthersAreAvoided() {
    List<FakeEndpoint> eps = FakeEndpoint.of(4);
    BoundedLoadHash.BoundedPicker p = picker(eps, 0.25, 1);
    eps.get(0).inFlight(10); // total 10: cap ceil(1.25 × 11 / 4) = 4
    PickContext avoidOthers = PickContext.builder().hashKey("k")
        .avoid(eps.get(1).server()).avoid(eps.get(2).server()).avoid(eps.get(3).server()).build();
    NoAvailableServerException e = assertThrows(NoAvailableServerException.class, () -> p.pick(avoidOthers));
    assertEquals("test: 1 of 4 servers pickable (3 already tried); bounded load: every server at its cap"
        + " of (1 + epsilon) x its share of 11 in flight", e.getMessage());
    assertNotNull(p.pick(PickContext.ofKey("k")));
  }

  @Test
  void epsilonIsValidated() {
    assertEquals("epsilon must be in (0, 100.0], was 0.0", assertThrows(IllegalArgumentException.class,
        () -> Algorithms.boundedLoadHash().epsilon(0).build()).getMessage());
    assertEquals("epsilon must be in (0, 100.0], was NaN", assertThrows(IllegalArgumentException.class,
        () -> Algorithms.boundedLoadHash().epsilon(Double.NaN).build()).getMessage());
  }
}
