package dev.lbkit.api;

import java.util.Objects;

/**
 * The combined health of one server, and the rule that decides whether it may be picked.
 *
 * <p>Three separate signals feed it:
 * <ol>
 *   <li>the <b>active</b> check verdict ({@link ActiveHealth}),
 *   <li><b>passive ejection</b>: outlier detection or an open circuit breaker,
 *   <li>an operator's <b>drain</b>.
 * </ol>
 *
 * <p><b>The rule.</b> A server is pickable when it is not draining, not ejected, and its active
 * verdict is {@code HEALTHY}, or {@code UNKNOWN} while unknown servers are allowed (the
 * runtime's {@code unknownPickable} setting, on by default so that a cluster without active
 * checks works). The first failing signal, in that order, is the {@link #reason()}.
 *
 * <p>A separate {@link #weightMultiplier()} in (0, 1] scales the server's effective weight. It is
 * how slow start reaches every algorithm; it never makes a server unpickable.
 *
 * <p>Immutable and thread-safe.
 */
public final class HealthState {

  /** Why a server is or is not pickable; the first failing signal wins. */
  public enum Status {
    /** The server may be picked. */
    PICKABLE,
    /** An operator is draining it: no new picks; in-flight calls finish. */
    DRAINING,
    /** Passive health (outlier detection, circuit breaker) ejected it. */
    EJECTED,
    /** Active checks marked it unhealthy. */
    UNHEALTHY,
    /** No active check has decided yet, and unknown servers are not pickable. */
    UNKNOWN
  }

  /** The state of a new server when unknown servers are pickable. */
  public static final HealthState INITIAL =
      new HealthState(ActiveHealth.UNKNOWN, null, null, false, 1.0, true);

  private final ActiveHealth active;
  private final String activeReason;
  private final String ejectionReason;
  private final boolean draining;
  private final double weightMultiplier;
  private final boolean unknownPickable;
  private final Status status;

  private HealthState(
      ActiveHealth active,
      String activeReason,
      String ejectionReason,
      boolean draining,
      double weightMultiplier,
      boolean unknownPickable) {
    this.active = Objects.requireNonNull(active, "active");
    this.activeReason = activeReason;
    this.ejectionReason = ejectionReason;
    this.draining = draining;
    if (!(weightMultiplier > 0.0 && weightMultiplier <= 1.0)) {
      throw new IllegalArgumentException(
          "weightMultiplier must be in (0, 1], was " + weightMultiplier);
    }
    this.weightMultiplier = weightMultiplier;
    this.unknownPickable = unknownPickable;
    if (draining) {
      status = Status.DRAINING;
    } else if (ejectionReason != null) {
      status = Status.EJECTED;
    } else if (active == ActiveHealth.UNHEALTHY) {
      status = Status.UNHEALTHY;
    } else if (active == ActiveHealth.UNKNOWN && !unknownPickable) {
      status = Status.UNKNOWN;
    } else {
      status = Status.PICKABLE;
    }
  }

  /** The initial state of a new server: verdict unknown, not ejected, not draining. */
  public static HealthState initial(boolean unknownPickable) {
    return unknownPickable ? INITIAL : INITIAL.withUnknownPickable(false);
  }

  /** The active check verdict. */
  public ActiveHealth active() {
    return active;
  }

  /** Whether passive health currently ejects the server. */
  public boolean ejected() {
    return ejectionReason != null;
  }

  /** Whether an operator is draining the server. */
  public boolean draining() {
    return draining;
  }

  /** The factor in (0, 1] applied to the server's weight; below 1 during slow start. */
  public double weightMultiplier() {
    return weightMultiplier;
  }

  /** Whether the server may be picked. */
  public boolean pickable() {
    return status == Status.PICKABLE;
  }

  /** The deciding signal. */
  public Status status() {
    return status;
  }

  /**
   * Explains the state in words, for example {@code "ejected: 5 consecutive failures"} or
   * {@code "unhealthy: GET /health returned 503"}. Never null.
   */
  public String reason() {
    switch (status) {
      case DRAINING:
        return "draining";
      case EJECTED:
        return "ejected: " + ejectionReason;
      case UNHEALTHY:
        return "unhealthy" + (activeReason == null ? "" : ": " + activeReason);
      case UNKNOWN:
        return "unknown: awaiting first health check";
      default:
        return active == ActiveHealth.HEALTHY
            ? "healthy" + (activeReason == null ? "" : ": " + activeReason)
            : "pickable: no health verdict yet";
    }
  }

  /** Returns this state with another active verdict and its reason (may be null). */
  public HealthState withActive(ActiveHealth verdict, String reason) {
    return new HealthState(
        verdict, reason, ejectionReason, draining, weightMultiplier, unknownPickable);
  }

  /** Returns this state ejected for {@code reason}, or re-admitted when {@code reason} is null. */
  public HealthState withEjection(String reason) {
    return new HealthState(active, activeReason, reason, draining, weightMultiplier, unknownPickable);
  }

  /** Returns this state with the drain flag set or cleared. */
  public HealthState withDraining(boolean drain) {
    return new HealthState(active, activeReason, ejectionReason, drain, weightMultiplier, unknownPickable);
  }

  /** Returns this state with another weight multiplier in (0, 1]. */
  public HealthState withWeightMultiplier(double multiplier) {
    return new HealthState(active, activeReason, ejectionReason, draining, multiplier, unknownPickable);
  }

  /** Returns this state under another policy for servers with an unknown verdict. */
  public HealthState withUnknownPickable(boolean allowed) {
    return new HealthState(active, activeReason, ejectionReason, draining, weightMultiplier, allowed);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof HealthState)) {
      return false;
    }
    HealthState h = (HealthState) o;
    return active == h.active
        && draining == h.draining
        && unknownPickable == h.unknownPickable
        && Double.compare(weightMultiplier, h.weightMultiplier) == 0
        && Objects.equals(activeReason, h.activeReason)
        && Objects.equals(ejectionReason, h.ejectionReason);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        active, activeReason, ejectionReason, draining, weightMultiplier, unknownPickable);
  }

  @Override
  public String toString() {
    return weightMultiplier == 1.0 ? reason() : reason() + " (weight x" + weightMultiplier + ")";
  }
}
