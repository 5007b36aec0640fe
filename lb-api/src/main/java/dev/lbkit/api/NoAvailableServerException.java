package dev.lbkit.api;

import java.util.Objects;

/**
 * Thrown by {@link Picker#pick} when no server may be picked. The message names the cluster and
 * gives the reason in counts, for example {@code user-service: 0 of 5 servers pickable (3
 * unhealthy, 2 ejected)}.
 *
 * <p>Unchecked: a pick has no other failure mode, and callers that cannot handle it should
 * fail the request. HTTP integrations wrap it in an {@code IOException}.
 *
 * <p>{@link #reason()} sorts the failure into a small fixed set, {@link Reason}, fit for a metric
 * tag; the message keeps the counts and the details.
 */
public class NoAvailableServerException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Why no server could be picked: a small fixed set, so that it can tag a metric. The runtime
   * sets it where it throws; {@link #of} derives it from the counts for the rest.
   */
  public enum Reason {
    /** The cluster has no servers (none listed yet, or the list is empty). */
    NO_SERVERS,
    /**
     * No server is pickable, and not every one of them is ejected: active checks marked them
     * unhealthy, they await their first check, or a mix of these with ejections.
     */
    ALL_UNHEALTHY,
    /** No server is pickable, and passive health (outlier detection, breakers) ejected each one not draining. */
    ALL_EJECTED,
    /** Every server is draining. */
    ALL_DRAINING,
    /** The cluster is in panic and its panic mode is fail-fast. */
    PANIC_FAIL_FAST,
    /** Servers were pickable, but the request avoided every one of them (a retry's servers already tried). */
    ALL_TRIED,
    /** The admission gates (half-open circuit breakers, one probe at a time) refused every server left. */
    ADMISSION_REFUSED,
    /** An algorithm's own limit left nothing to pick, such as bounded-load hashing with every server at its cap. */
    ALGORITHM_LIMIT;

    /**
     * The reason the counts show, for a failure without a more specific one: no servers; every
     * pickable server avoided; every server draining; every non-draining server ejected; else
     * unhealthy. A pickable server left over means an algorithm's limit.
     */
    public static Reason of(int total, int pickable, int unhealthy, int ejected, int draining, int unknown,
        int avoided) {
      if (total == 0) {
        return NO_SERVERS;
      }
      if (pickable > 0) {
        return avoided >= pickable ? ALL_TRIED : ALGORITHM_LIMIT;
      }
      if (draining == total) {
        return ALL_DRAINING;
      }
      if (ejected > 0 && unhealthy == 0 && unknown == 0) {
        return ALL_EJECTED;
      }
      return ALL_UNHEALTHY;
    }
  }

  private final Reason reason;
  private final String cluster;
  private final int total;
  private final int pickable;
  private final int unhealthy;
  private final int ejected;
  private final int draining;
  private final int unknown;
  private final int avoided;

  /**
   * Creates the exception from the counts of a cluster's servers, with the reason they show
   * ({@link Reason#of}).
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
    this(Reason.of(total, pickable, unhealthy, ejected, draining, unknown, avoided), cluster, total, pickable,
        unhealthy, ejected, draining, unknown, avoided, detail);
  }

  /**
   * Creates the exception with the reason the thrower knows, from the counts of a cluster's
   * servers.
   *
   * @param reason why no server could be picked
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
      Reason reason,
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
    this.reason = Objects.requireNonNull(reason, "reason");
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

  /** Why no server could be picked. */
  public Reason reason() {
    return reason;
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
