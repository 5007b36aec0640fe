package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

/** Statistics for distribution tests. */
final class Stats {

  /** The upper 1e-9 quantile of the standard normal distribution. */
  private static final double Z_1E9 = 5.997807;

  private Stats() {}

  /**
   * The chi-square critical value for {@code df} degrees of freedom at significance 1e-9, by the
   * Wilson–Hilferty approximation. For df = 1 and 2 it overestimates the exact value (46.9 instead
   * of 36.0 at df = 1), which only makes the test more lenient; from df = 3 it is within a few
   * percent.
   */
  static double chiSquareCritical1e9(int df) {
    double a = 2.0 / (9.0 * df);
    double t = 1 - a + Z_1E9 * Math.sqrt(a);
    return df * t * t * t;
  }

  /** The chi-square statistic of {@code observed} counts against expected {@code probabilities}. */
  static double chiSquare(long[] observed, double[] probabilities) {
    long n = Arrays.stream(observed).sum();
    double chi = 0;
    for (int i = 0; i < observed.length; i++) {
      double expected = n * probabilities[i];
      double d = observed[i] - expected;
      chi += d * d / expected;
    }
    return chi;
  }

  /** Asserts that {@code observed} fits {@code probabilities} at significance 1e-9. */
  static void assertFits(long[] observed, double[] probabilities) {
    if (observed.length < 2) {
      return;
    }
    double chi = chiSquare(observed, probabilities);
    double critical = chiSquareCritical1e9(observed.length - 1);
    assertTrue(chi < critical, () -> "chi-square " + chi + " >= critical " + critical + " for "
        + Arrays.toString(observed) + " against " + Arrays.toString(probabilities));
  }

  /** Probabilities proportional to {@code weights}. */
  static double[] proportional(double[] weights) {
    double total = Arrays.stream(weights).sum();
    return Arrays.stream(weights).map(w -> w / total).toArray();
  }

  /** Equal probabilities over {@code n}. */
  static double[] uniform(int n) {
    double[] p = new double[n];
    Arrays.fill(p, 1.0 / n);
    return p;
  }
}
