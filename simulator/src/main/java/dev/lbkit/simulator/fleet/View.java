package dev.lbkit.simulator.fleet;

/**
 * What a client's picker believes each server's load to be: its in-flight count as the
 * algorithm reads it from {@code Endpoint.inFlight()}.
 *
 * @param kind where the number comes from
 * @param refreshNanos for {@link Kind#BOARD}, how often the board is rewritten; 0 for a live
 *     board (perfect, instant global knowledge)
 */
public record View(Kind kind, long refreshNanos) {

  /** Where the load a picker reads comes from. */
  public enum Kind {
    /**
     * The client's own in-flight requests, as a {@code LoadBalancer} counts them: what lbkit
     * does in production. Pickers are the balancer's own.
     */
    OWN,
    /**
     * Every server's true load (requests queued and in service), posted on a board that every
     * client reads and that is rewritten every {@code refreshNanos}: Mitzenmacher's periodic
     * "bulletin board". The algorithm is fed simulator-made endpoints.
     */
    BOARD,
    /**
     * The load each server reported on its last response to this client (a load header), 0
     * before the first. The algorithm is fed simulator-made endpoints.
     */
    REPORTED
  }

  /** The production view. */
  public static final View OWN = new View(Kind.OWN, 0);

  /** Validates the fields. */
  public View {
    if (kind == null) {
      throw new IllegalArgumentException("view kind must be set, was null");
    }
    if (refreshNanos < 0) {
      throw new IllegalArgumentException("view refresh must be >= 0, was " + refreshNanos + "ns");
    }
  }

  /** A board rewritten every {@code refreshNanos} (0: live). */
  public static View board(long refreshNanos) {
    return new View(Kind.BOARD, refreshNanos);
  }

  /** Loads reported by the servers on their responses. */
  public static View reported() {
    return new View(Kind.REPORTED, 0);
  }
}
