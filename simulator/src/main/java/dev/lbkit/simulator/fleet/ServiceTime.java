package dev.lbkit.simulator.fleet;

import dev.lbkit.simulator.engine.SimRandom;
import java.time.Duration;

/**
 * How long a server of speed 1 works on one request: a fixed time, or an exponential or
 * log-normal distribution with a given mean.
 */
public interface ServiceTime {

  /** Draws one service time in nanoseconds. */
  long sampleNanos(SimRandom random);

  /** The mean service time in nanoseconds. */
  double meanNanos();

  /** Every request takes exactly {@code time}. */
  static ServiceTime fixed(Duration time) {
    long nanos = positive("fixed service time", time);
    return new ServiceTime() {
      @Override
      public long sampleNanos(SimRandom random) {
        return nanos;
      }

      @Override
      public double meanNanos() {
        return nanos;
      }

      @Override
      public String toString() {
        return "fixed " + time.toMillis() + "ms";
      }
    };
  }

  /** Exponentially distributed with mean {@code mean}: the M of M/M/c. */
  static ServiceTime exponential(Duration mean) {
    double m = positive("exponential mean", mean);
    return new ServiceTime() {
      @Override
      public long sampleNanos(SimRandom random) {
        return Math.round(random.exponential(m));
      }

      @Override
      public double meanNanos() {
        return m;
      }

      @Override
      public String toString() {
        return "exponential, mean " + m / 1e6 + "ms";
      }
    };
  }

  /**
   * Log-normal with mean {@code mean} and shape {@code sigma} (the standard deviation of the
   * logarithm): the long right tail of real services. Sigma 1 puts p99 at about 5.6 × the
   * mean.
   */
  static ServiceTime logNormal(Duration mean, double sigma) {
    double m = positive("log-normal mean", mean);
    if (!(sigma > 0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException("sigma must be positive and finite, was " + sigma);
    }
    // E[exp(mu + sigma Z)] = exp(mu + sigma^2 / 2), so this mu gives the requested mean.
    double mu = Math.log(m) - sigma * sigma / 2;
    return new ServiceTime() {
      @Override
      public long sampleNanos(SimRandom random) {
        return Math.round(Math.exp(mu + sigma * random.gaussian()));
      }

      @Override
      public double meanNanos() {
        return m;
      }

      @Override
      public String toString() {
        return "log-normal, mean " + m / 1e6 + "ms, sigma " + sigma;
      }
    };
  }

  private static long positive(String what, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, was " + d);
    }
    return d.toNanos();
  }
}
