package dev.lbkit.api;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A source of randomness for picks, start offsets and jitter. Injected so that tests can use
 * fixed seeds.
 *
 * <p>Implementations must be thread-safe; the pick path calls them from many threads.
 */
public interface RandomSource {

  /** Returns a uniformly distributed int in {@code [0, bound)}; {@code bound > 0}. */
  int nextInt(int bound);

  /** Returns a uniformly distributed long. */
  long nextLong();

  /** Returns a uniformly distributed double in {@code [0, 1)}. */
  double nextDouble();

  /** The production source: {@link ThreadLocalRandom}, contention-free and allocation-free. */
  static RandomSource threadLocal() {
    return ThreadLocalRandomSource.INSTANCE;
  }

  /**
   * A deterministic source for tests: the same seed gives the same sequence when called from
   * one thread. Thread-safe (backed by {@link Random}), but shared across threads the
   * interleaving decides who gets which number.
   */
  static RandomSource seeded(long seed) {
    Random random = new Random(seed);
    return new RandomSource() {
      @Override
      public int nextInt(int bound) {
        return random.nextInt(bound);
      }

      @Override
      public long nextLong() {
        return random.nextLong();
      }

      @Override
      public double nextDouble() {
        return random.nextDouble();
      }

      @Override
      public String toString() {
        return "RandomSource.seeded(" + seed + ")";
      }
    };
  }
}

/** The default source. */
enum ThreadLocalRandomSource implements RandomSource {
  INSTANCE;

  @Override
  public int nextInt(int bound) {
    return ThreadLocalRandom.current().nextInt(bound);
  }

  @Override
  public long nextLong() {
    return ThreadLocalRandom.current().nextLong();
  }

  @Override
  public double nextDouble() {
    return ThreadLocalRandom.current().nextDouble();
  }
}
