package dev.lbkit.simulator.fleet;

import dev.lbkit.simulator.engine.SimRandom;
import java.time.Duration;

/**
 * One-way latency between a client and a server: a fixed base plus an exponential jitter, drawn
 * per hop (request and response separately).
 *
 * @param baseNanos the fixed part, at least 0
 * @param jitterMeanNanos the mean of the exponential part, at least 0
 */
public record Network(long baseNanos, long jitterMeanNanos) {

  /** No latency at all: the queueing-theory textbook setting. */
  public static final Network NONE = new Network(0, 0);

  /** Validates both parts. */
  public Network {
    if (baseNanos < 0) {
      throw new IllegalArgumentException("network base latency must be >= 0, was " + baseNanos + "ns");
    }
    if (jitterMeanNanos < 0) {
      throw new IllegalArgumentException("network jitter must be >= 0, was " + jitterMeanNanos + "ns");
    }
  }

  /** A network with one-way latency {@code base} plus exponential jitter of mean {@code jitter}. */
  public static Network of(Duration base, Duration jitter) {
    return new Network(base.toNanos(), jitter.toNanos());
  }

  /** Draws one hop's latency in nanoseconds. */
  long sampleNanos(SimRandom random) {
    return jitterMeanNanos == 0 ? baseNanos : baseNanos + Math.round(random.exponential(jitterMeanNanos));
  }
}
