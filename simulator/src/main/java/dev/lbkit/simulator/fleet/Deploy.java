package dev.lbkit.simulator.fleet;

/**
 * A rolling deploy: servers restart one after another, in index order. For each server, at its
 * turn: discovery stops listing it (when {@code deregister}), the process stops after {@code
 * drainNanos}, is down for {@code downNanos}, comes back {@code coldFactor} times slower, fading
 * to full speed over {@code warmupNanos}, and is listed again as soon as it is up.
 *
 * @param startNanos when the first server's turn begins
 * @param everyNanos time between two servers' turns
 * @param servers how many servers restart, from index 0
 * @param drainNanos time from deregistration to the stop
 * @param downNanos time the process is down (connections refused)
 * @param coldFactor how many times slower a server is when it comes back
 * @param warmupNanos how long the cold slowness takes to fade
 * @param deregister whether discovery drops the server before it stops
 */
public record Deploy(long startNanos, long everyNanos, int servers, long drainNanos, long downNanos,
    double coldFactor, long warmupNanos, boolean deregister) {

  /** Validates the fields. */
  public Deploy {
    if (startNanos < 0 || everyNanos <= 0 || drainNanos < 0 || downNanos < 0 || warmupNanos < 0) {
      throw new IllegalArgumentException("deploy times must be >= 0 (every > 0), were start " + startNanos
          + "ns, every " + everyNanos + "ns, drain " + drainNanos + "ns, down " + downNanos
          + "ns, warmup " + warmupNanos + "ns");
    }
    if (servers < 0) {
      throw new IllegalArgumentException("deploy servers must be >= 0, was " + servers);
    }
    if (!(coldFactor >= 1.0) || Double.isInfinite(coldFactor)) {
      throw new IllegalArgumentException("deploy coldFactor must be a finite number >= 1, was " + coldFactor);
    }
  }
}
