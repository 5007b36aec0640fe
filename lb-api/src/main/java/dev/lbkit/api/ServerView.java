package dev.lbkit.api;

import java.util.Map;
import java.util.Objects;

/**
 * A read-only snapshot of one server for observability: its health and why, its in-flight
 * count, latency and failure statistics, and details published by health inputs (ejection
 * count, breaker state, slow-start progress). Immutable.
 */
public final class ServerView {

  /**
   * The value of a latency statistic that nothing tracks: the runtime keeps latency only while
   * its algorithm or zone routing reads it, or {@code trackLatency(true)} asks for it.
   */
  public static final long NOT_TRACKED = -1;

  private final Server server;
  private final HealthState health;
  private final int inFlight;
  private final long latencyEwmaNanos;
  private final long peakEwmaNanos;
  private final int consecutiveFailures;
  private final Outcome lastOutcome;
  private final double effectiveWeight;
  private final Map<String, String> details;
  private final int openTooLong;

  /** Creates a view without leak detection ({@link #openTooLong()} is 0); used by the runtime. */
  public ServerView(
      Server server,
      HealthState health,
      int inFlight,
      long latencyEwmaNanos,
      long peakEwmaNanos,
      int consecutiveFailures,
      Outcome lastOutcome,
      double effectiveWeight,
      Map<String, String> details) {
    this(server, health, inFlight, latencyEwmaNanos, peakEwmaNanos, consecutiveFailures, lastOutcome,
        effectiveWeight, details, 0);
  }

  /** Creates a view with the count of selections open too long; used by the runtime. */
  public ServerView(
      Server server,
      HealthState health,
      int inFlight,
      long latencyEwmaNanos,
      long peakEwmaNanos,
      int consecutiveFailures,
      Outcome lastOutcome,
      double effectiveWeight,
      Map<String, String> details,
      int openTooLong) {
    this.openTooLong = openTooLong;
    this.server = Objects.requireNonNull(server, "server");
    this.health = Objects.requireNonNull(health, "health");
    this.inFlight = inFlight;
    this.latencyEwmaNanos = latencyEwmaNanos;
    this.peakEwmaNanos = peakEwmaNanos;
    this.consecutiveFailures = consecutiveFailures;
    this.lastOutcome = lastOutcome;
    this.effectiveWeight = effectiveWeight;
    this.details = Map.copyOf(details);
  }

  /** The server. */
  public Server server() {
    return server;
  }

  /** Its health; {@code health().reason()} explains it. */
  public HealthState health() {
    return health;
  }

  /** In-flight requests (tracked by algorithms that count them). */
  public int inFlight() {
    return inFlight;
  }

  /**
   * Latency EWMA in nanoseconds; 0 before the first sample; {@link #NOT_TRACKED} when nothing
   * tracks latency.
   */
  public long latencyEwmaNanos() {
    return latencyEwmaNanos;
  }

  /**
   * Peak EWMA in nanoseconds, decayed to the moment of the view; 0 before the first sample;
   * {@link #NOT_TRACKED} when nothing tracks latency.
   */
  public long peakEwmaNanos() {
    return peakEwmaNanos;
  }

  /** Failures in a row. */
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  /** The last outcome, or null. */
  public Outcome lastOutcome() {
    return lastOutcome;
  }

  /** Weight after health multipliers. */
  public double effectiveWeight() {
    return effectiveWeight;
  }

  /**
   * Selections of this server open longer than the balancer's leak-detection limit: picked and
   * never completed, each holding an in-flight count (an OkHttp response never closed holds one).
   * 0 when leak detection is off, its default; see {@code LoadBalancerBuilder.leakDetection}.
   */
  public int openTooLong() {
    return openTooLong;
  }

  /** Details published by health inputs, unmodifiable. */
  public Map<String, String> details() {
    return details;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ServerView)) {
      return false;
    }
    ServerView v = (ServerView) o;
    return inFlight == v.inFlight
        && openTooLong == v.openTooLong
        && latencyEwmaNanos == v.latencyEwmaNanos
        && peakEwmaNanos == v.peakEwmaNanos
        && consecutiveFailures == v.consecutiveFailures
        && Double.compare(effectiveWeight, v.effectiveWeight) == 0
        && server.equals(v.server)
        && health.equals(v.health)
        && lastOutcome == v.lastOutcome
        && details.equals(v.details);
  }

  @Override
  public int hashCode() {
    return Objects.hash(server, health, inFlight, latencyEwmaNanos, consecutiveFailures, details, openTooLong);
  }

  @Override
  public String toString() {
    return server.id()
        + " " + health
        + ", inFlight=" + inFlight
        + (latencyEwmaNanos == NOT_TRACKED ? ", latency not tracked" : ", ewma=" + latencyEwmaNanos / 1_000 + "us")
        + ", consecutiveFailures=" + consecutiveFailures
        + (openTooLong == 0 ? "" : ", openTooLong=" + openTooLong)
        + (details.isEmpty() ? "" : ", " + details);
  }
}
