package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.testing.FakeEndpoint;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SmoothWeightedRoundRobinTest {

  private static List<Integer> sequence(List<FakeEndpoint> fakes, int picks) {
    // The picker without the random rotation, so the sequence follows list order as nginx's.
    Picker picker = new SmoothWeightedRoundRobin.SwrrPicker(
        fakes.toArray(new dev.lbkit.api.Endpoint[0]), new FakeAlgorithmContext(1, fakes.size()));
    return indexes(picker, fakes, picks);
  }

  /** The list positions of {@code picks} picks' servers. */
  private static List<Integer> indexes(Picker picker, List<FakeEndpoint> fakes, int picks) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < fakes.size(); i++) {
      index.put(fakes.get(i).server().id(), i);
    }
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < picks; i++) {
      out.add(index.get(picker.pick().server().id()));
    }
    return out;
  }

  @Test
  void matchesNginxSequenceForFiveOneOne() {
    // nginx commit 27e94984: weights { 5, 1, 1 } produce { a, a, b, a, c, a, a }.
    assertEquals(List.of(0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0),
        sequence(FakeEndpoint.weighted(5, 1, 1), 14));
  }

  @Test
  void interleavesFiveThreeTwo() {
    // Not the seed's illustration: current after each pick is (-5,3,2) (0,-4,4) (5,-1,-4)
    // (0,2,-2) (-5,5,0) (0,-2,2) (-5,1,4) (0,4,-4) (5,-3,-2) (0,0,0).
    assertEquals(List.of(0, 1, 2, 0, 0, 1, 0, 2, 1, 0), sequence(FakeEndpoint.weighted(5, 3, 2), 10));
  }

  @Test
  void millionWeightsNeedNoTable() {
    List<Integer> seq = sequence(FakeEndpoint.weighted(1_000_000, 999_999, 1), 2_000_000);
    int[] counts = new int[3];
    seq.forEach(i -> counts[i]++);
    // Over 2,000,000 picks of a 2,000,000-pick cycle, shares are exact.
    assertEquals(1_000_000, counts[0]);
    assertEquals(999_999, counts[1]);
    assertEquals(1, counts[2]);
  }

  @Property(tries = 40, seed = "13")
  void equalWeightsTakeListOrderExactlyAsNginxWould(
      @ForAll @IntRange(min = 1, max = 60) int n,
      @ForAll @IntRange(min = 1, max = 1_000) int weight) {
    int[] w = new int[n];
    Arrays.fill(w, weight);
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(w);
    // nginx's scan (the picker with an avoid set runs it) over two cycles, against the shortcut.
    List<Integer> listOrder = new ArrayList<>();
    for (int c = 0; c < 2; c++) {
      for (int i = 0; i < n; i++) {
        listOrder.add(i);
      }
    }
    assertEquals(listOrder, sequence(fakes, 2 * n));
    int[] cycle = SmoothWeightedRoundRobin.CyclePicker.cycle(fakes.toArray(new dev.lbkit.api.Endpoint[0]));
    assertEquals(listOrder.subList(0, n), Arrays.stream(cycle).boxed().toList());
  }

  @Test
  void equalWeightsGetACycleAtTenThousandServers() {
    int[] w = new int[10_000];
    Arrays.fill(w, 3);
    int[] cycle = SmoothWeightedRoundRobin.CyclePicker.cycle(FakeEndpoint.weighted(w).toArray(new dev.lbkit.api.Endpoint[0]));
    // nginx's scan would take 10^4 servers × 10^4 picks; one weight is one candidate per step.
    assertEquals(10_000, cycle.length);
    assertEquals(9_999, cycle[9_999]);
  }

  /**
   * The precomputed cycle is nginx's scan, step for step, with few distinct weights (so that
   * servers of equal weight tie, and groups of them interleave) and with many.
   */
  @Property(tries = 200, seed = "14")
  void precomputedCycleIsNginxSequence(
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 6) Integer> weights,
      @ForAll @IntRange(min = 1, max = 50) int scale) {
    int[] w = weights.stream().mapToInt(x -> x * scale + (x == 6 ? 7 : 0)).toArray();
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(w);
    int[] cycle = SmoothWeightedRoundRobin.CyclePicker.cycle(fakes.toArray(new dev.lbkit.api.Endpoint[0]));
    assertEquals(sequence(fakes, cycle.length), Arrays.stream(cycle).boxed().toList(), Arrays.toString(w));
  }

  /**
   * The lock-free picker walks the cycle repeated to at least {@link Rotation#MIN_POSITIONS}
   * positions; across those copies' ends and the counter's reductions it is still nginx's
   * sequence.
   */
  @Property(tries = 100, seed = "15")
  void cyclePickerFollowsNginxAcrossTheRepeatedCycle(
      @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 6) Integer> weights) {
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(weights.stream().mapToInt(Integer::intValue).toArray());
    dev.lbkit.api.Endpoint[] endpoints = fakes.toArray(new dev.lbkit.api.Endpoint[0]);
    Picker picker = new SmoothWeightedRoundRobin.CyclePicker(
        endpoints, SmoothWeightedRoundRobin.CyclePicker.cycle(endpoints), new FakeAlgorithmContext(1, fakes.size()));
    int picks = 3 * Rotation.MIN_POSITIONS + 7;
    assertEquals(sequence(fakes, picks), indexes(picker, fakes, picks), weights.toString());
  }

  @Test
  void threeWeightsAcrossThousandsOfServersGetTheCycle() {
    // Weights 1, 2, 3, 1, 2, 3, ... over 3,000 servers: a 6,000-pick cycle, 1.8 × 10^7 steps of
    // nginx's scan (over the precompute bound), 18,000 steps with one candidate per weight.
    int[] w = new int[3_000];
    for (int i = 0; i < w.length; i++) {
      w[i] = 1 + i % 3;
    }
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(w);
    int[] cycle = SmoothWeightedRoundRobin.CyclePicker.cycle(fakes.toArray(new dev.lbkit.api.Endpoint[0]));
    assertTrue(cycle != null, "no cycle: picks would go through EDF, whose order is not nginx's");
    assertEquals(sequence(fakes, 6_000), Arrays.stream(cycle).boxed().toList());
  }

  @Test
  void avoidedServerIsSkippedAndOthersKeepTheirRatio() {
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(5, 1, 1);
    Picker picker = Algorithms.smoothWeightedRoundRobin()
        .newPicker(List.copyOf(fakes), new FakeAlgorithmContext(1, 3));
    PickContext avoidA = PickContext.builder().avoid(fakes.get(0).server()).build();
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      counts.merge(picker.pick(avoidA).server().id(), 1, Integer::sum);
    }
    assertEquals(5, counts.get(fakes.get(1).server().id()));
    assertEquals(5, counts.get(fakes.get(2).server().id()));
  }

  @Property(tries = 60, seed = "11")
  void everyCycleGivesExactShares(
      @ForAll @Size(min = 1, max = 64) List<@IntRange(min = 1, max = 1000) Integer> weights) {
    int[] w = weights.stream().mapToInt(Integer::intValue).toArray();
    int gcd = 0;
    long sum = 0;
    for (int x : w) {
      gcd = BigInteger.valueOf(gcd).gcd(BigInteger.valueOf(x)).intValue();
      sum += x;
    }
    int cycle = (int) (sum / gcd);
    List<Integer> seq = sequence(FakeEndpoint.weighted(w), 2 * cycle);
    for (int c = 0; c < 2; c++) {
      int[] counts = new int[w.length];
      for (int i = c * cycle; i < (c + 1) * cycle; i++) {
        counts[seq.get(i)]++;
      }
      for (int i = 0; i < w.length; i++) {
        assertEquals(w[i] / gcd, counts[i], "server " + i + " in cycle " + c);
      }
    }
  }

  @Property(tries = 60, seed = "12")
  void longestRunStaysWithinTwiceTheIdealRun(
      @ForAll @Size(min = 2, max = 64) List<@IntRange(min = 1, max = 1000) Integer> weights) {
    int[] w = weights.stream().mapToInt(Integer::intValue).toArray();
    long sum = 0;
    for (int x : w) {
      sum += x;
    }
    // Two full cycles (the cycle divides sum), so runs across the boundary are seen too.
    List<Integer> seq = sequence(FakeEndpoint.weighted(w), (int) (2 * sum));
    int run = 1;
    for (int i = 1; i < seq.size(); i++) {
      run = seq.get(i).equals(seq.get(i - 1)) ? run + 1 : 1;
      int s = seq.get(i);
      long others = sum - w[s];
      long bound = 2 * ((w[s] + others - 1) / others);
      assertTrue(run <= bound, "run " + run + " of server " + s + " exceeds " + bound + " for " + weights);
    }
  }

  @Test
  void runBoundIsNearlyReached() {
    // The documented example: {179, 1, 1} has a run of 120 across the cycle boundary; the bound
    // is 2 × ceil(179 / 2) = 180.
    List<Integer> seq = sequence(FakeEndpoint.weighted(179, 1, 1), 2 * 181);
    int run = 1;
    int max = 1;
    for (int i = 1; i < seq.size(); i++) {
      run = seq.get(i).equals(seq.get(i - 1)) ? run + 1 : 1;
      max = Math.max(max, run);
    }
    assertEquals(120, max);
  }

  @Test
  void snapshotsRotateSoEqualWeightsDoNotHerd() {
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(3, 3, 3, 3, 3, 3, 3, 3, 3, 3);
    FakeAlgorithmContext ctx = new FakeAlgorithmContext(7, 10);
    java.util.Set<String> firsts = new java.util.HashSet<>();
    for (int i = 0; i < 50; i++) {
      firsts.add(Algorithms.smoothWeightedRoundRobin().newPicker(List.copyOf(fakes), ctx).pick().server().id());
    }
    // 50 uniform rotations of 10 servers land on at most 5 first servers with probability < 1e-10.
    assertTrue(firsts.size() > 5, "distinct first picks: " + firsts);
  }

  @Test
  void rotatedSnapshotFollowsNginxForTheRotatedList() {
    List<FakeEndpoint> fakes = FakeEndpoint.weighted(1, 5, 1);
    Picker picker = Algorithms.smoothWeightedRoundRobin()
        .newPicker(List.copyOf(fakes), new FakeAlgorithmContext(1, 3));
    StringBuilder seq = new StringBuilder();
    for (int i = 0; i < 7; i++) {
      seq.append(picker.pick().server().equals(fakes.get(1).server()) ? 'a' : 'o');
    }
    // Whatever the rotation, the heavy server is first in its order of ties: a a o a o a a.
    assertEquals("aaoaoaa", seq.toString());
  }

  @Test
  void singleServerIsAlwaysPicked() {
    assertEquals(List.of(0, 0, 0), sequence(FakeEndpoint.weighted(7), 3));
  }

}
