package dev.lbkit.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class InterceptorPairedTest {

  @Test
  void differenceIntervalIsMeanPlusMinusZTimesStandardError() {
    // Differences 1, 3, 5, 7: mean 4, sample sd sqrt(20 / 3), standard error sqrt(20 / 3) / 2.
    double[] result = InterceptorPaired.diff(new double[] {11, 13, 15, 17}, new double[] {10, 10, 10, 10});
    assertEquals(4.0, result[0], 1e-12);
    assertEquals(InterceptorPaired.Z_999 * Math.sqrt(20.0 / 3) / 2, result[1], 1e-12);
  }

  @Test
  void driftSharedByBothClientsCancelsInThePairs() {
    // Both clients slow down together from pair to pair; the wrapped one is always 2 more.
    double[] plain = {100, 200, 300, 400};
    double[] wrapped = {102, 202, 302, 402};
    double[] result = InterceptorPaired.diff(wrapped, plain);
    assertEquals(2.0, result[0], 1e-12);
    assertEquals(0.0, result[1], 1e-12);
  }

  @Test
  void medianTakesTheUpperMiddleOfAnEvenCountAndLeavesTheInputUnsorted() {
    double[] xs = {4, 1, 3, 2};
    assertEquals(3.0, InterceptorPaired.median(xs));
    assertEquals(4.0, xs[0]);
  }
}
