package dev.lbkit.api.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.RandomSource;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

  /** A random source that always draws {@code u}. */
  private static RandomSource drawing(double u) {
    return new RandomSource() {
      @Override
      public int nextInt(int bound) {
        throw new UnsupportedOperationException();
      }

      @Override
      public long nextLong() {
        throw new UnsupportedOperationException();
      }

      @Override
      public double nextDouble() {
        return u;
      }
    };
  }

  @Property
  void everyWaitLiesWithinTheJitterOfItsCappedBaseAndNeverAboveTheCap(
      @ForAll @LongRange(min = 1, max = 1_000) long initialMillis,
      @ForAll @LongRange(min = 0, max = 10_000) long extraMillis,
      @ForAll @DoubleRange(min = 1, max = 4) double multiplier,
      @ForAll @DoubleRange(min = 0, max = 0.99) double jitter,
      @ForAll @IntRange(min = 1, max = 40) int retry,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double u) {
    long initial = initialMillis * 1_000_000;
    long max = initial + extraMillis * 1_000_000;
    RetryBackoff b = new RetryBackoff(Duration.ofNanos(initial), Duration.ofNanos(max), multiplier, jitter);
    double base = Math.min(max, initial * Math.pow(multiplier, retry - 1));
    long wait = b.nanos(retry, drawing(u));
    assertTrue(wait <= max, "above the cap: " + wait);
    assertTrue(wait >= (long) (base * (1 - jitter)) - 1, "below the jitter: " + wait + " < " + base * (1 - jitter));
    assertTrue(wait <= (long) (base * (1 + jitter)) + 1, "above the jitter: " + wait);
  }

  @Test
  void withoutJitterTheWaitsDoubleUpToTheCap() {
    RetryBackoff exact = new RetryBackoff(Duration.ofMillis(25), Duration.ofMillis(250), 2, 0);
    RandomSource unused = drawing(0.5);
    assertEquals(List.of(25_000_000L, 50_000_000L, 100_000_000L, 200_000_000L, 250_000_000L, 250_000_000L),
        List.of(exact.nanos(1, unused), exact.nanos(2, unused), exact.nanos(3, unused), exact.nanos(4, unused),
            exact.nanos(5, unused), exact.nanos(30, unused)));
  }

  @Test
  void theJitterSpansItsWholeRangeFromTheRandomSource() {
    RetryBackoff b = RetryBackoff.DEFAULT;
    assertEquals(12_500_000L, b.nanos(1, drawing(0.0)));
    assertEquals(25_000_000L, b.nanos(1, drawing(0.5)));
    assertEquals(37_499_999L, b.nanos(1, drawing(0.99999996)), 1);
    assertEquals(0, new RetryBackoff(Duration.ZERO, Duration.ofSeconds(1), 2, 0.5).nanos(5, drawing(0.7)));
  }

  @Test
  void badSettingsAreRejectedNamingTheFieldAndValue() {
    assertEquals("initialBackoff must not be negative, was PT-0.001S", assertThrows(IllegalArgumentException.class,
        () -> new RetryBackoff(Duration.ofMillis(-1), Duration.ZERO, 2, 0)).getMessage());
    assertEquals("maxBackoff must be >= initialBackoff PT1S, was PT0.5S", assertThrows(IllegalArgumentException.class,
        () -> new RetryBackoff(Duration.ofSeconds(1), Duration.ofMillis(500), 2, 0)).getMessage());
    assertEquals("multiplier must be a finite number >= 1, was NaN", assertThrows(IllegalArgumentException.class,
        () -> new RetryBackoff(Duration.ZERO, Duration.ZERO, Double.NaN, 0)).getMessage());
    assertEquals("jitter must be in [0, 1), was 1.0", assertThrows(IllegalArgumentException.class,
        () -> new RetryBackoff(Duration.ZERO, Duration.ZERO, 2, 1.0)).getMessage());
  }
}
