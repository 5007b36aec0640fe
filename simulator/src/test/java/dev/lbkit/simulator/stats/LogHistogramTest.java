package dev.lbkit.simulator.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LogHistogramTest {

  @Test
  void smallValuesAreExact() {
    LogHistogram h = new LogHistogram();
    for (int v = 1; v <= 100; v++) {
      h.record(v);
    }
    assertEquals(50, h.quantile(0.5));
    assertEquals(99, h.quantile(0.99));
    assertEquals(100, h.quantile(1.0));
    assertEquals(1, h.quantile(0.0));
    assertEquals(50.5, h.mean(), 1e-12);
  }

  @Test
  void bucketsCoverEveryValueInOrder() {
    long previous = -1;
    for (int i = 0; i < LogHistogram.BUCKETS; i++) {
      long v = LogHistogram.valueOf(i);
      assertTrue(v > previous, "bucket " + i);
      assertEquals(i, LogHistogram.index(v), "value " + v);
      previous = v;
    }
  }

  @Test
  void quantilesAreWithinOnePercentOfExact() {
    SplittableRandom random = new SplittableRandom(7);
    LogHistogram h = new LogHistogram();
    long[] values = new long[100_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = (long) (-Math.log(1 - random.nextDouble()) * 10_000_000); // exponential, 10 ms
      h.record(values[i]);
    }
    Arrays.sort(values);
    for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
      long exact = values[(int) Math.ceil(q * values.length) - 1];
      assertEquals(exact, h.quantile(q), exact * 0.01, "q=" + q);
    }
    assertEquals(values[values.length - 1], h.max());
  }
}
