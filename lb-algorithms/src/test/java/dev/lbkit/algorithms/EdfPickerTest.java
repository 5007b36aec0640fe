package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.testing.FakeEndpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class EdfPickerTest {

  private static EdfPicker picker(List<FakeEndpoint> fakes) {
    return new EdfPicker(fakes.toArray(new Endpoint[0]), new FakeAlgorithmContext(1, fakes.size()));
  }

  private static List<Integer> sequence(Picker picker, List<FakeEndpoint> fakes, int picks, PickContext ctx) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < fakes.size(); i++) {
      index.put(fakes.get(i).server().id(), i);
    }
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < picks; i++) {
      out.add(index.get(picker.pick(ctx).server().id()));
    }
    return out;
  }

  private static List<FakeEndpoint> fractional(double... weights) {
    List<FakeEndpoint> fakes = FakeEndpoint.of(weights.length);
    for (int i = 0; i < weights.length; i++) {
      fakes.get(i).effectiveWeight(weights[i]);
    }
    return fakes;
  }

  @Test
  void fiveOneOneGivesTheClassCommentsSequence() {
    // Deadlines a 0.2 0.4 0.6 0.8, then b, c (holding 1.0 from the start) and a at 1.0.
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(5, 1, 1);
    assertEquals(List.of(0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 1, 2, 0),
        sequence(picker(fakes), fakes, 14, PickContext.EMPTY));
  }

  @Test
  void fractionalWeightsFollowTheirDeadlines() {
    // a 1.5, b 0.5: a at 2/3 and 4/3, then b (holding 2 since the start) before a (2 since pick 1),
    // a at 8/3, 10/3, then b at 4 (since pick 2) before a at 4 (since pick 5).
    List<FakeEndpoint> fakes = fractional(1.5, 0.5);
    assertEquals(List.of(0, 0, 1, 0, 0, 0, 1, 0), sequence(picker(fakes), fakes, 8, PickContext.EMPTY));
  }

  @Test
  void avoidedServerIsSkippedAndTheScheduleIsShared() {
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(5, 1, 1);
    EdfPicker picker = picker(fakes);
    PickContext avoidA = PickContext.builder().avoid(fakes.get(0).server()).build();
    // b and c both hold 1.0, b first in list order; then both 2.0, b first again (it got it first).
    assertEquals(List.of(1, 2, 1, 2), sequence(picker, fakes, 4, avoidA));
    // First attempts go on from the same schedule: a at 0.2 to 1.2, with b and c at 3.0 already.
    assertEquals(List.of(0, 0, 0, 0, 0, 0), sequence(picker, fakes, 6, PickContext.EMPTY));
  }

  @Test
  void smoothWeightedRoundRobinUsesEdfBeyondThePrecomputedCycle() {
    List<FakeEndpoint> large = FakeEndpoint.weighted(1_000_000, 999_999, 1);
    Picker picker = Algorithms.smoothWeightedRoundRobin().newPicker(List.copyOf(large), new FakeAlgorithmContext(1, 3));
    assertInstanceOf(EdfPicker.class, picker);
    List<FakeEndpoint> slowStart = fractional(2.5, 1, 1);
    assertInstanceOf(EdfPicker.class,
        Algorithms.smoothWeightedRoundRobin().newPicker(List.copyOf(slowStart), new FakeAlgorithmContext(1, 3)));
    List<FakeEndpoint> small = FakeEndpoint.weighted(5, 1, 1);
    assertInstanceOf(SmoothWeightedRoundRobin.CyclePicker.class,
        Algorithms.smoothWeightedRoundRobin().newPicker(List.copyOf(small), new FakeAlgorithmContext(1, 3)));
  }

  @Test
  void millionWeightsGiveExactSharesPerCycle() {
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(1_000_000, 999_999, 1);
    int[] counts = new int[3];
    EdfPicker picker = picker(fakes);
    for (int i = 0; i < 2_000_000; i++) {
      counts[picker.next()]++;
    }
    assertEquals(1_000_000, counts[0]);
    assertEquals(999_999, counts[1]);
    assertEquals(1, counts[2]);
  }

  /** With whole weights, every W consecutive picks from the start give server i exactly w_i. */
  @Property(tries = 60, seed = "51")
  void everyUnitOfVirtualTimeGivesExactSharesForWholeWeights(
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 500) Integer> weights) {
    int[] w = weights.stream().mapToInt(Integer::intValue).toArray();
    int total = 0;
    for (int x : w) {
      total += x;
    }
    EdfPicker picker = picker(FakeEndpoint.weighted(w));
    for (int unit = 0; unit < 3; unit++) {
      int[] counts = new int[w.length];
      for (int i = 0; i < total; i++) {
        counts[picker.next()]++;
      }
      for (int i = 0; i < w.length; i++) {
        assertEquals(w[i], counts[i], "server " + i + " in unit " + unit + " of " + weights);
      }
    }
  }

  /**
   * Any window of consecutive picks, any positive weights (fractional, as during slow start, up to
   * 10^6): each server's count is within {@code 1 + N·w_i / W} of its share of the window.
   */
  @Property(tries = 100, seed = "52")
  void sharesOverAnyWindowConvergeToWeights(
      @ForAll @Size(min = 1, max = 30) List<@DoubleRange(min = 0.01, max = 1_000_000) Double> weights,
      @ForAll @IntRange(min = 0, max = 5_000) int skip,
      @ForAll @IntRange(min = 1, max = 20_000) int window) {
    double[] w = weights.stream().mapToDouble(Double::doubleValue).toArray();
    double total = 0;
    for (double x : w) {
      total += x;
    }
    EdfPicker picker = picker(fractional(w));
    for (int i = 0; i < skip; i++) {
      picker.next();
    }
    int[] counts = new int[w.length];
    for (int i = 0; i < window; i++) {
      counts[picker.next()]++;
    }
    for (int i = 0; i < w.length; i++) {
      double share = window * w[i] / total;
      double bound = 1 + w.length * w[i] / total + 1e-6;
      assertTrue(Math.abs(counts[i] - share) <= bound, "server " + i + " got " + counts[i] + " of " + window
          + " picks against a share of " + share + " (bound " + bound + ") for " + weights);
    }
  }
}
