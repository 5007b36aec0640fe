package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.testing.FakeEndpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RandomAlgorithmsTest {

  private static final int PICKS = 100_000;

  private static long[] counts(Algorithm algorithm, List<FakeEndpoint> fakes, long seed, PickContext ctx) {
    Picker picker = algorithm.newPicker(List.copyOf(fakes), new FakeAlgorithmContext(seed, fakes.size()));
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < fakes.size(); i++) {
      index.put(fakes.get(i).server().id(), i);
    }
    long[] counts = new long[fakes.size()];
    for (int i = 0; i < PICKS; i++) {
      counts[index.get(picker.pick(ctx).server().id())]++;
    }
    return counts;
  }

  private static double[] weightsOf(List<FakeEndpoint> fakes) {
    return fakes.stream().mapToDouble(f -> f.effectiveWeight()).toArray();
  }

  @Property(tries = 20, seed = "21")
  void weightedRandomSharesPassChiSquare(
      @ForAll @Size(min = 1, max = 64) List<@IntRange(min = 1, max = 1000) Integer> weights,
      @ForAll long seed) {
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(weights.stream().mapToInt(Integer::intValue).toArray());
    Stats.assertFits(counts(Algorithms.weightedRandom(), fakes, seed, PickContext.EMPTY),
        Stats.proportional(weightsOf(fakes)));
  }

  @Property(tries = 10, seed = "22")
  void weightedRandomKeepsSharesAmongServersNotAvoided(
      @ForAll @Size(min = 2, max = 64) List<@IntRange(min = 1, max = 1000) Integer> weights,
      @ForAll long seed) {
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(weights.stream().mapToInt(Integer::intValue).toArray());
    PickContext avoidFirst = PickContext.builder().avoid(fakes.get(0).server()).build();
    long[] counts = counts(Algorithms.weightedRandom(), fakes, seed, avoidFirst);
    assertEquals(0, counts[0]);
    List<FakeEndpoint> rest = fakes.subList(1, fakes.size());
    Stats.assertFits(java.util.Arrays.copyOfRange(counts, 1, counts.length),
        Stats.proportional(weightsOf(rest)));
  }

  @Property(tries = 20, seed = "23")
  void randomSharesAreUniform(@ForAll @IntRange(min = 1, max = 64) int n, @ForAll long seed) {
    Stats.assertFits(counts(Algorithms.random(), FakeEndpoint.of(n), seed, PickContext.EMPTY), Stats.uniform(n));
  }

  @Test
  void weightedRandomHandlesMillionToOne() {
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(1_000_000, 1);
    long[] counts = counts(Algorithms.weightedRandom(), fakes, 5, PickContext.EMPTY);
    // Expected 0.1 picks of the light server; 3 or more has probability below 2e-4.
    assertEquals(true, counts[1] < 3, "light server picks: " + counts[1]);
  }

  @Test
  void weightedRandomAtThousandServersPassesChiSquare() {
    int[] w = new int[1000];
    for (int i = 0; i < w.length; i++) {
      // Weights of 100 and more keep every expected count above 15, where chi-square is valid.
      w[i] = 100 + (i * 7919) % 901;
    }
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(w);
    Stats.assertFits(counts(Algorithms.weightedRandom(), fakes, 9, PickContext.EMPTY),
        Stats.proportional(weightsOf(fakes)));
  }
}
