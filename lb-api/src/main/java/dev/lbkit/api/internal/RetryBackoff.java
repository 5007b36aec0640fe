package dev.lbkit.api.internal;

import dev.lbkit.api.RandomSource;
import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff with jitter, capped. Retry {@code k} (from 1) waits {@code base =
 * min(max, initial × multiplier^(k−1))} scaled by a uniform factor in {@code [1 − jitter, 1 +
 * jitter)}, and never more than {@code max}. This is Resilience4j's randomized exponential
 * backoff ({@code IntervalFunction.ofExponentialRandomBackoff}, which lb-okhttp used until 0.2.0),
 * in nanoseconds instead of whole milliseconds, and drawing from an injected {@link RandomSource}
 * so that tests and simulations repeat. Zero {@code initial} means no wait.
 *
 * <p>Shared by lb-okhttp (a {@code RetryPolicy}'s backoff) and the fleet simulator, so that both
 * wait the same.
 *
 * <p>Immutable and thread-safe; {@link #nanos} is as thread-safe as its random source.
 */
public final class RetryBackoff {
  /** lb-okhttp's default first backoff: 25 ms, Envoy's base interval. */
  public static final Duration DEFAULT_INITIAL = Duration.ofMillis(25);

  /** lb-okhttp's default cap: 250 ms, Envoy's (10 × the base). */
  public static final Duration DEFAULT_MAX = Duration.ofMillis(250);

  /** lb-okhttp's default growth per retry. */
  public static final double DEFAULT_MULTIPLIER = 2.0;

  /** lb-okhttp's default jitter: ±50%. */
  public static final double DEFAULT_JITTER = 0.5;

  /** lb-okhttp's defaults. */
  public static final RetryBackoff DEFAULT =
      new RetryBackoff(DEFAULT_INITIAL, DEFAULT_MAX, DEFAULT_MULTIPLIER, DEFAULT_JITTER);

  private final long initialNanos;
  private final long maxNanos;
  private final double multiplier;
  private final double jitter;

  /**
   * A backoff from {@code initial}, growing by {@code multiplier} per retry up to {@code max},
   * each wait scaled by a uniform factor within ±{@code jitter}.
   *
   * @throws IllegalArgumentException naming the parameter and its value, when one is out of
   *     range: initial negative, max below initial, multiplier not a finite number ≥ 1, jitter
   *     outside [0, 1)
   */
  public RetryBackoff(Duration initial, Duration max, double multiplier, double jitter) {
    if (initial.isNegative()) {
      throw new IllegalArgumentException("initialBackoff must not be negative, was " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("maxBackoff must be >= initialBackoff " + initial + ", was " + max);
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be a finite number >= 1, was " + multiplier);
    }
    if (!(jitter >= 0.0 && jitter < 1.0)) {
      throw new IllegalArgumentException("jitter must be in [0, 1), was " + jitter);
    }
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.multiplier = multiplier;
    this.jitter = jitter;
  }

  /** The wait before retry number {@code retry} (from 1), in nanoseconds, drawing from {@code random}. */
  public long nanos(int retry, RandomSource random) {
    if (initialNanos == 0) {
      return 0;
    }
    double base = Math.min((double) maxNanos, initialNanos * Math.pow(multiplier, Math.max(0, retry - 1)));
    if (jitter > 0) {
      base *= 1.0 - jitter + 2.0 * jitter * random.nextDouble();
    }
    return (long) Math.min((double) maxNanos, base);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetryBackoff
        && ((RetryBackoff) o).initialNanos == initialNanos
        && ((RetryBackoff) o).maxNanos == maxNanos
        && ((RetryBackoff) o).multiplier == multiplier
        && ((RetryBackoff) o).jitter == jitter;
  }

  @Override
  public int hashCode() {
    return Objects.hash(initialNanos, maxNanos, multiplier, jitter);
  }

  @Override
  public String toString() {
    return Duration.ofNanos(initialNanos) + ".." + Duration.ofNanos(maxNanos) + " x" + multiplier + " ±" + jitter;
  }
}
