package dev.lbkit.api;

/**
 * Thrown by {@link Picker#pick} when no server may be picked. The message names the cluster and
 * gives the reason in counts, for example {@code user-service: 0 of 5 servers pickable (3
 * unhealthy, 2 ejected)}.
 *
 * <p>Unchecked: a pick has no other failure mode, and callers that cannot handle it should
 * fail the request. HTTP integrations wrap it in an {@code IOException}.
 */
public class NoAvailableServerException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String cluster;
  private final int total;
  private final int pickable;
  private final int unhealthy;
  private final int ejected;
  private final int draining;
  private final int unknown;
  private final int avoided;

  /**
   * Creates the exception from the counts of a cluster's servers.
   *
   * @param cluster the cluster's name
   * @param total servers in the cluster
   * @param pickable servers that were pickable, avoided ones included
   * @param unhealthy servers that active checks marked unhealthy
   * @param ejected servers that passive health ejected
   * @param draining servers being drained
   * @param unknown servers awaiting their first check
   * @param avoided pickable servers that the request asked to avoid
   * @param detail extra words appended to the message, or null
   */
  public NoAvailableServerException(
      String cluster,
      int total,
      int pickable,
      int unhealthy,
      int ejected,
      int draining,
      int unknown,
      int avoided,
      String detail) {
    super(message(cluster, total, pickable, unhealthy, ejected, draining, unknown, avoided, detail));
    this.cluster = cluster;
    this.total = total;
    this.pickable = pickable;
    this.unhealthy = unhealthy;
    this.ejected = ejected;
    this.draining = draining;
    this.unknown = unknown;
    this.avoided = avoided;
  }

  private static String message(
      String cluster,
      int total,
      int pickable,
      int unhealthy,
      int ejected,
      int draining,
      int unknown,
      int avoided,
      String detail) {
    StringBuilder sb = new StringBuilder(cluster).append(": ");
    if (total == 0) {
      sb.append("no servers");
    } else {
      sb.append(pickable - avoided).append(" of ").append(total).append(" servers pickable");
      StringBuilder why = new StringBuilder();
      append(why, avoided, "already tried");
      append(why, unhealthy, "unhealthy");
      append(why, ejected, "ejected");
      append(why, draining, "draining");
      append(why, unknown, "awaiting first health check");
      if (why.length() > 0) {
        sb.append(" (").append(why).append(')');
      }
    }
    if (detail != null) {
      sb.append("; ").append(detail);
    }
    return sb.toString();
  }

  private static void append(StringBuilder sb, int count, String what) {
    if (count > 0) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(count).append(' ').append(what);
    }
  }

  /** The cluster's name. */
  public String cluster() {
    return cluster;
  }

  /** Servers in the cluster. */
  public int total() {
    return total;
  }

  /** Servers that were pickable, including those the request asked to avoid. */
  public int pickable() {
    return pickable;
  }

  /** Servers that active checks marked unhealthy. */
  public int unhealthy() {
    return unhealthy;
  }

  /** Servers that passive health ejected. */
  public int ejected() {
    return ejected;
  }

  /** Servers being drained. */
  public int draining() {
    return draining;
  }

  /** Servers awaiting their first health check. */
  public int unknown() {
    return unknown;
  }

  /** Pickable servers that the request asked to avoid. */
  public int avoided() {
    return avoided;
  }
}
