package dev.lbkit.simulator.engine;

import dev.lbkit.api.RandomSource;
import java.util.SplittableRandom;

/**
 * The simulation's randomness: a {@link RandomSource} for lbkit's pickers, and the few
 * distributions the models draw from. Each component (a client's balancer, a server's service
 * times, the arrival process) gets its own stream from {@link #split()}, so that adding a
 * variant or a server does not shift the numbers every other component sees.
 *
 * <p>Backed by {@link SplittableRandom}: fast and not thread-safe, as a simulation runs on one
 * thread.
 */
public final class SimRandom implements RandomSource {

  private final SplittableRandom random;

  /** A stream seeded with {@code seed}: the same seed gives the same numbers. */
  public SimRandom(long seed) {
    this(new SplittableRandom(seed));
  }

  private SimRandom(SplittableRandom random) {
    this.random = random;
  }

  /** A new independent stream, derived from this one's next numbers. */
  public SimRandom split() {
    return new SimRandom(random.split());
  }

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

  /** An exponentially distributed value with mean {@code mean}. */
  public double exponential(double mean) {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    return -mean * Math.log(1.0 - random.nextDouble());
  }

  /** A standard normal value (Box-Muller; one of the pair is dropped, for simplicity). */
  public double gaussian() {
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
  }

  @Override
  public String toString() {
    return "SimRandom";
  }
}
