package dev.lbkit.simulator.stats;

/**
 * A histogram of non-negative longs (latencies in nanoseconds) in log-linear buckets: exact
 * below 256, then 128 buckets per power of two, so a percentile read from it is within 0.8% of
 * the true value. Values above 2^40 ns (about 18 minutes) share the last bucket. Count, sum,
 * minimum and maximum are exact.
 *
 * <p>Fixed size (4,480 counters, 35 KiB), O(1) to record, O(buckets) to read a percentile. Not
 * thread-safe.
 */
public final class LogHistogram {

  private static final int SUB_BITS = 7;
  private static final int SUB = 1 << SUB_BITS;             // 128 buckets per power of two
  private static final int LINEAR = 2 * SUB;                 // values below 256 are exact
  private static final int MAX_MSB = 40;
  static final int BUCKETS = LINEAR + (MAX_MSB - SUB_BITS) * SUB;

  private final long[] counts = new long[BUCKETS];
  private long count;
  private double sum;
  private long min = Long.MAX_VALUE;
  private long max = Long.MIN_VALUE;

  /** Records one value; negative values count as 0. */
  public void record(long value) {
    long v = Math.max(0L, value);
    counts[index(v)]++;
    count++;
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }

  /** Adds every value recorded in {@code other}. */
  public void add(LogHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    count += other.count;
    sum += other.sum;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
  }

  static int index(long v) {
    if (v < LINEAR) {
      return (int) v;
    }
    int msb = 63 - Long.numberOfLeadingZeros(v);
    if (msb > MAX_MSB) {
      return BUCKETS - 1;
    }
    int shift = msb - SUB_BITS;
    long sub = v >>> shift; // in [SUB, 2 * SUB)
    return LINEAR + (shift - 1) * SUB + (int) (sub - SUB);
  }

  /** The midpoint of bucket {@code i}. */
  static long valueOf(int i) {
    if (i < LINEAR) {
      return i;
    }
    int shift = (i - LINEAR) / SUB + 1;
    long sub = (i - LINEAR) % SUB + SUB;
    return (sub << shift) + (1L << (shift - 1));
  }

  /** Values recorded. */
  public long count() {
    return count;
  }

  /** The exact mean, or NaN when empty. */
  public double mean() {
    return count == 0 ? Double.NaN : sum / count;
  }

  /** The exact maximum, or 0 when empty. */
  public long max() {
    return count == 0 ? 0 : max;
  }

  /** The exact minimum, or 0 when empty. */
  public long min() {
    return count == 0 ? 0 : min;
  }

  /**
   * The value at quantile {@code q} in [0, 1]: the smallest recorded value (to the bucket's
   * precision) that at least {@code q × count} values do not exceed; 0 when empty. Clamped to
   * the exact minimum and maximum.
   */
  public long quantile(double q) {
    if (count == 0) {
      return 0;
    }
    long rank = Math.max(1L, (long) Math.ceil(q * count));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.max(min, Math.min(max, valueOf(i)));
      }
    }
    return max;
  }

  @Override
  public String toString() {
    return "LogHistogram{count=" + count + ", p50=" + quantile(0.5) + ", p99=" + quantile(0.99) + ", max=" + max() + "}";
  }
}
