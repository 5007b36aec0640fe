package dev.lbkit.simulator.fleet;

/**
 * A failure injected into one server for a period.
 *
 * @param kind what goes wrong
 * @param server the server's index, from 0
 * @param atNanos when it starts, in virtual time
 * @param durationNanos how long it lasts; for {@link Kind#RESTART}, how long the server is down
 * @param factor for {@link Kind#SLOW}, how many times slower; for {@link Kind#RESTART}, how many
 *     times slower the server is when it comes back cold (1: no warm-up)
 * @param probability for {@link Kind#FAIL_FAST}, the share of requests answered with an error
 * @param warmupNanos for {@link Kind#RESTART}, how long the cold slowness takes to fade, linearly
 */
public record Fault(Kind kind, int server, long atNanos, long durationNanos, double factor,
    double probability, long warmupNanos) {

  /** The failure modes of a server. */
  public enum Kind {
    /** Every service time is multiplied by {@code factor}. */
    SLOW,
    /** Requests are answered at once with a server error (a 5xx), with {@code probability}. */
    FAIL_FAST,
    /** Connections are refused: the client learns it after one round trip. */
    REFUSE,
    /** Requests and responses vanish: only the client's timeout ends them. */
    BLACK_HOLE,
    /**
     * The process dies: requests queued or in service fail with a reset connection, new
     * connections are refused while it is down, and it comes back cold.
     */
    RESTART
  }

  /** Validates the fields. */
  public Fault {
    if (kind == null) {
      throw new IllegalArgumentException("fault kind must be set, was null");
    }
    if (server < 0) {
      throw new IllegalArgumentException("fault server must be >= 0, was " + server);
    }
    if (atNanos < 0 || durationNanos < 0 || warmupNanos < 0) {
      throw new IllegalArgumentException("fault times must be >= 0, were at " + atNanos
          + "ns, duration " + durationNanos + "ns, warmup " + warmupNanos + "ns");
    }
    if (!(factor >= 1.0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("fault factor must be a finite number >= 1, was " + factor);
    }
    if (!(probability > 0 && probability <= 1)) {
      throw new IllegalArgumentException("fault probability must be in (0, 1], was " + probability);
    }
  }
}
