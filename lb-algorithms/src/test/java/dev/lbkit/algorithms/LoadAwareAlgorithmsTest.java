package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.testing.FakeEndpoint;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class LoadAwareAlgorithmsTest {

  /** A seeded source that remembers the last long it handed out: the P2C sampling seed. */
  static final class RecordingRandom implements RandomSource {
    private final Random random;
    long lastLong;

    RecordingRandom(long seed) {
      this.random = new Random(seed);
    }

    @Override
    public int nextInt(int bound) {
      return random.nextInt(bound);
    }

    @Override
    public long nextLong() {
      lastLong = random.nextLong();
      return lastLong;
    }

    @Override
    public double nextDouble() {
      return random.nextDouble();
    }
  }

  /** Random in-flight counts 0..20 and weights 1..1000 for n servers. */
  private static List<FakeEndpoint> randomFakes(int n, long seed) {
    Random r = new Random(seed);
    int[] w = new int[n];
    for (int i = 0; i < n; i++) {
      w[i] = 1 + r.nextInt(1000);
    }
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(w);
    for (FakeEndpoint f : fakes) {
      f.inFlight(r.nextInt(21));
    }
    return fakes;
  }

  private static double inFlightScore(FakeEndpoint f) {
    return f.inFlight();
  }

  private static double weightedScore(FakeEndpoint f) {
    return (f.inFlight() + 1) / f.effectiveWeight();
  }

  private static FakeEndpoint endpointOf(Selection s) {
    return ((FakeEndpoint.FakeSelection) s).endpoint();
  }

  @Property(tries = 100, seed = "31")
  void leastConnectionsNeverPicksAWorseServer(
      @ForAll @IntRange(min = 1, max = 64) int n, @ForAll long seed) {
    List<FakeEndpoint> fakes = randomFakes(n, seed);
    Picker picker = Algorithms.leastConnections().newPicker(List.copyOf(fakes), new FakeAlgorithmContext(seed, n));
    for (int p = 0; p < 50; p++) {
      double min = fakes.stream().mapToDouble(LoadAwareAlgorithmsTest::inFlightScore).min().getAsDouble();
      Selection s = picker.pick();
      // The pick counted itself: its score before the pick is one less.
      assertEquals(min, endpointOf(s).inFlight() - 1, "picked " + s.server() + " from " + fakes);
      assertTrue(((FakeEndpoint.FakeSelection) s).tracked());
    }
  }

  @Property(tries = 100, seed = "32")
  void weightedLeastConnectionsNeverPicksAWorseServer(
      @ForAll @IntRange(min = 1, max = 64) int n, @ForAll long seed) {
    List<FakeEndpoint> fakes = randomFakes(n, seed);
    Picker picker = Algorithms.weightedLeastConnections()
        .newPicker(List.copyOf(fakes), new FakeAlgorithmContext(seed, n));
    for (int p = 0; p < 50; p++) {
      Map<FakeEndpoint, Double> before = new HashMap<>();
      fakes.forEach(f -> before.put(f, weightedScore(f)));
      double min = before.values().stream().mapToDouble(Double::doubleValue).min().getAsDouble();
      Selection s = picker.pick();
      assertEquals(min, before.get(endpointOf(s)), "picked " + s.server() + " from " + fakes);
    }
  }

  @Property(tries = 100, seed = "33")
  void powerOfChoicesPicksTheBestOfItsDistinctCandidates(
      @ForAll @IntRange(min = 1, max = 64) int n, @ForAll @IntRange(min = 2, max = 8) int choices,
      @ForAll long seed) {
    List<FakeEndpoint> fakes = randomFakes(n, seed);
    RecordingRandom random = new RecordingRandom(seed);
    Picker picker = Algorithms.powerOfTwoChoices().choices(choices).build()
        .newPicker(List.copyOf(fakes), new FakeAlgorithmContext(random, n));
    for (int p = 0; p < 50; p++) {
      Map<FakeEndpoint, Double> before = new HashMap<>();
      fakes.forEach(f -> before.put(f, weightedScore(f)));
      Selection s = picker.pick();
      double picked = before.get(endpointOf(s));
      // Black box: at least (choices - 1) other servers score as high or higher.
      long worseOrEqual = before.entrySet().stream()
          .filter(e -> e.getKey() != endpointOf(s) && e.getValue() >= picked).count();
      assertTrue(worseOrEqual >= Math.min(choices, n) - 1, "picked " + s.server() + " from " + fakes);
      if (choices < n) {
        // White box: replay the candidates from the recorded seed.
        Set<Integer> candidates = new HashSet<>();
        long sampleSeed = random.lastLong;
        for (int m = 0; m < ScoredPicker.maxDraws(choices) && candidates.size() < choices; m++) {
          candidates.add(ScoredPicker.draw(sampleSeed, m, n));
        }
        assertTrue(candidates.contains(fakes.indexOf(endpointOf(s))));
        for (int c : candidates) {
          assertTrue(picked <= before.get(fakes.get(c)), "candidate " + fakes.get(c) + " beats " + s.server());
        }
      }
    }
  }

  /**
   * The two usual candidates come from one seed without a retry: the second draw is never the
   * first's index, and the ordered pair is uniform over the N × (N - 1) pairs of distinct servers.
   */
  @Property(tries = 20, seed = "35")
  void theTwoFirstDrawsAreADistinctUniformPair(@ForAll @IntRange(min = 2, max = 9) int n, @ForAll long seed) {
    Random random = new Random(seed);
    long[] pairs = new long[n * n];
    int samples = 2_000 * n * (n - 1);
    for (int k = 0; k < samples; k++) {
      long drawSeed = random.nextLong();
      int a = ScoredPicker.draw(drawSeed, 0, n);
      int b = ScoredPicker.draw(drawSeed, 1, n);
      assertTrue(a != b, "draws 0 and 1 both " + a + " of " + n + " for seed " + drawSeed);
      pairs[a * n + b]++;
    }
    long[] distinct = new long[n * (n - 1)];
    double[] share = new double[distinct.length];
    int k = 0;
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < n; b++) {
        if (a != b) {
          distinct[k] = pairs[a * n + b];
          share[k++] = 1.0 / (n * (n - 1));
        }
      }
    }
    Stats.assertFits(distinct, share);
  }

  @Test
  void powerOfTwoNeverPicksTheStrictlyBusiestServer() {
    List<FakeEndpoint> fakes = FakeEndpoint.of(3);
    fakes.get(0).inFlight(1);
    fakes.get(1).inFlight(2);
    fakes.get(2).inFlight(9);
    Picker picker = Algorithms.powerOfTwoChoices().build().newPicker(List.copyOf(fakes), new FakeAlgorithmContext(4, 3));
    int[] counts = new int[3];
    for (int i = 0; i < 3000; i++) {
      Selection s = picker.pick();
      counts[fakes.indexOf(endpointOf(s))]++;
      s.complete(1, dev.lbkit.api.Outcome.SUCCESS);
    }
    assertEquals(0, counts[2]);
    // A wins when drawn (pairs AB, AC: 2/3), B only with C (1/3).
    Stats.assertFits(new long[] {counts[0], counts[1]}, new double[] {2.0 / 3, 1.0 / 3});
  }

  @Test
  void weightedLeastConnectionsPicksTheSeedExample() {
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(10, 5, 8);
    fakes.get(0).inFlight(100);
    fakes.get(1).inFlight(30);
    fakes.get(2).inFlight(80);
    Picker picker = Algorithms.weightedLeastConnections().newPicker(List.copyOf(fakes), new FakeAlgorithmContext(1, 3));
    assertEquals(fakes.get(1).server(), picker.pick().server());
  }

  @Test
  void weightedLeastConnectionsReadsWeightsLive() {
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(10, 10);
    fakes.get(0).inFlight(3);
    fakes.get(1).inFlight(1);
    Picker picker = Algorithms.weightedLeastConnections().newPicker(List.copyOf(fakes), new FakeAlgorithmContext(1, 2));
    assertEquals(fakes.get(1).server(), picker.pick().server()); // 4/10 against 2/10
    fakes.get(1).effectiveWeight(1); // slow start begins: no rebuild
    assertEquals(fakes.get(0).server(), picker.pick().server()); // 4/10 against 3/1
    assertFalse(Algorithms.weightedLeastConnections().rebuildsOnWeightChange());
  }

  @Property(tries = 10, seed = "34")
  void tiesAreBrokenUniformly(@ForAll @IntRange(min = 2, max = 64) int n, @ForAll long seed) {
    for (Algorithm a : List.of(Algorithms.leastConnections(), Algorithms.weightedLeastConnections(),
        Algorithms.powerOfTwoChoices().build(), Algorithms.leastResponseTime().build())) {
      List<FakeEndpoint> fakes = FakeEndpoint.of(n);
      Picker picker = a.newPicker(List.copyOf(fakes), new FakeAlgorithmContext(seed, n));
      long[] counts = new long[n];
      for (int i = 0; i < 200 * n; i++) {
        Selection s = picker.pick();
        counts[fakes.indexOf(endpointOf(s))]++;
        s.complete(1, dev.lbkit.api.Outcome.SUCCESS);
      }
      Stats.assertFits(counts, Stats.uniform(n));
    }
  }

  @Test
  void avoidedServersAreNeverCandidates() {
    List<FakeEndpoint> fakes = FakeEndpoint.of(4);
    fakes.get(0).inFlight(0);
    fakes.get(1).inFlight(5);
    fakes.get(2).inFlight(5);
    fakes.get(3).inFlight(5);
    PickContext avoidIdle = PickContext.builder().avoid(fakes.get(0).server()).build();
    for (Algorithm a : List.of(Algorithms.leastConnections(), Algorithms.weightedLeastConnections(),
        Algorithms.powerOfTwoChoices().build(), Algorithms.powerOfTwoChoices().choices(3).build())) {
      Picker picker = a.newPicker(List.copyOf(fakes), new FakeAlgorithmContext(2, 4));
      for (int i = 0; i < 100; i++) {
        Selection s = picker.pick(avoidIdle);
        assertFalse(s.server().equals(fakes.get(0).server()), a.name());
        s.complete(1, dev.lbkit.api.Outcome.SUCCESS);
      }
    }
  }
}
