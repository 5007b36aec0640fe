package dev.lbkit.simulator.fleet;

import java.util.Locale;

/**
 * Where requests come from: an open loop (Poisson arrivals at a fixed total rate, whatever the
 * latency) or a closed loop (each user sends a request, waits for its answer, thinks, and sends
 * the next).
 *
 * @param kind open or closed
 * @param ratePerSecond the open loop's total arrival rate over every client
 * @param usersPerClient the closed loop's users on each client
 * @param thinkNanos the closed loop's mean think time (exponential); 0 for none
 */
public record Workload(Kind kind, double ratePerSecond, int usersPerClient, long thinkNanos) {

  /** Open or closed loop. */
  public enum Kind {
    /** Poisson arrivals at a fixed rate. */
    OPEN,
    /** A fixed population of users, each with one request outstanding at most. */
    CLOSED
  }

  /** Validates the fields for the kind. */
  public Workload {
    if (kind == null) {
      throw new IllegalArgumentException("workload kind must be set, was null");
    }
    if (kind == Kind.OPEN && !(ratePerSecond > 0 && Double.isFinite(ratePerSecond))) {
      throw new IllegalArgumentException("open-loop rate must be positive, was " + ratePerSecond);
    }
    if (kind == Kind.CLOSED && usersPerClient < 1) {
      throw new IllegalArgumentException("closed-loop usersPerClient must be >= 1, was " + usersPerClient);
    }
    if (thinkNanos < 0) {
      throw new IllegalArgumentException("think time must be >= 0, was " + thinkNanos + "ns");
    }
  }

  @Override
  public String toString() {
    return kind == Kind.OPEN
        ? String.format(Locale.ROOT, "open loop, Poisson, %,.0f requests/s", ratePerSecond)
        : String.format(Locale.ROOT, "closed loop, %d users per client, think %.1f ms", usersPerClient,
            thinkNanos / 1e6);
  }

  /** Poisson arrivals at {@code ratePerSecond} in total. */
  public static Workload open(double ratePerSecond) {
    return new Workload(Kind.OPEN, ratePerSecond, 0, 0);
  }

  /** {@code usersPerClient} users per client, each thinking {@code thinkNanos} on average. */
  public static Workload closed(int usersPerClient, long thinkNanos) {
    return new Workload(Kind.CLOSED, 0, usersPerClient, thinkNanos);
  }
}
