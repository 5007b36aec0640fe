package dev.lbkit.algorithms;

/**
 * {@code exp(-x)} for the EWMA weights of latency statistics, from a table: a report and a
 * decayed read cost two array loads and one multiply-add instead of a {@code Math.exp} call.
 *
 * <p><b>Accuracy.</b> The table holds {@code exp(-x)} at steps of 1/256 for x in [0, 32), and
 * values between two steps are interpolated linearly. The relative error of linear
 * interpolation of {@code exp} over a step h is at most {@code h² / 8} ≈ 1.9 × 10⁻⁶, far below
 * the noise of any latency sample. Beyond 32 the weight is 0 (e<sup>-32</sup> ≈ 1.3 ×
 * 10⁻¹⁴).
 *
 * <p>Immutable and thread-safe.
 */
final class Decay {

  private static final int STEPS_PER_UNIT = 256;
  private static final double LIMIT = 32.0;
  private static final double[] TABLE = new double[(int) (LIMIT * STEPS_PER_UNIT) + 2];

  static {
    for (int i = 0; i < TABLE.length; i++) {
      TABLE[i] = Math.exp(-i / (double) STEPS_PER_UNIT);
    }
  }

  private Decay() {}

  /** {@code exp(-x)} for {@code x ≥ 0}, within a relative 1.9 × 10⁻⁶; 1 for x ≤ 0. */
  static double weight(double x) {
    if (!(x > 0)) {
      return 1.0;
    }
    if (x >= LIMIT) {
      return 0.0;
    }
    double scaled = x * STEPS_PER_UNIT;
    int i = (int) scaled;
    double frac = scaled - i;
    return TABLE[i] + (TABLE[i + 1] - TABLE[i]) * frac;
  }
}
