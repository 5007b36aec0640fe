package dev.lbkit.simulator.fleet;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;

/**
 * A simulator-made {@link Endpoint}: the client's real lbkit endpoint in every respect (health,
 * weights, latency estimates, the selection that counts and reports a request), except that
 * {@link #inFlight()} answers from a {@link LoadView}. It lets the real algorithm pick on a view
 * that a {@code LoadBalancer} cannot express, such as a fleet-wide board refreshed every T.
 */
final class ViewEndpoint implements Endpoint {

  private final Endpoint real;
  private final LoadView view;
  private final int index;

  ViewEndpoint(Endpoint real, LoadView view, int index) {
    this.real = real;
    this.view = view;
    this.index = index;
  }

  @Override
  public int inFlight() {
    return view.load(index);
  }

  @Override
  public Server server() {
    return real.server();
  }

  @Override
  public HealthState health() {
    return real.health();
  }

  @Override
  public double effectiveWeight() {
    return real.effectiveWeight();
  }

  @Override
  public boolean hasLatencySample() {
    return real.hasLatencySample();
  }

  @Override
  public boolean hasLatencySample(long nowNanos) {
    return real.hasLatencySample(nowNanos);
  }

  @Override
  public long latencyEwmaNanos() {
    return real.latencyEwmaNanos();
  }

  @Override
  public long peakEwmaNanos() {
    return real.peakEwmaNanos();
  }

  @Override
  public long peakEwmaNanos(long nowNanos) {
    return real.peakEwmaNanos(nowNanos);
  }

  @Override
  public int consecutiveFailures() {
    return real.consecutiveFailures();
  }

  @Override
  public Outcome lastOutcome() {
    return real.lastOutcome();
  }

  @Override
  public Selection selection() {
    return real.selection();
  }

  @Override
  public Selection track() {
    return real.track();
  }

  @Override
  public Selection tryTrack(int maxInFlight) {
    return real.tryTrack(maxInFlight);
  }

  @Override
  public String toString() {
    return "ViewEndpoint{" + real.server().id() + ", load=" + inFlight() + "}";
  }
}
