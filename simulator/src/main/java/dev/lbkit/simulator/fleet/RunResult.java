package dev.lbkit.simulator.fleet;

/**
 * What one run of one variant produced: the measurements, and the simulator's own cost.
 *
 * @param variant the variant run
 * @param config the fleet it ran on
 * @param metrics what was measured
 * @param events events the simulator executed
 * @param wallNanos wall-clock time of the run, construction included
 * @param endNanos virtual time at the end
 * @param issued requests sent
 * @param ended requests that ended (the rest were cancelled as unfinished)
 */
public record RunResult(Variant variant, FleetConfig config, Metrics metrics, long events, long wallNanos,
    long endNanos, long issued, long ended) {

  /** Events per second of wall-clock time. */
  public double eventsPerSecond() {
    return events / (wallNanos / 1e9);
  }

  /** The variant's name. */
  public String name() {
    return variant.name();
  }
}
