package dev.lbkit.health;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;

/** An endpoint whose health the {@link FakeHealthControl} computes. */
final class FakeEndpoint implements Endpoint {
  private final Server server;
  private final FakeHealthControl control;

  FakeEndpoint(Server server, FakeHealthControl control) {
    this.server = server;
    this.control = control;
  }

  @Override
  public Server server() {
    return server;
  }

  @Override
  public HealthState health() {
    return control.health(server);
  }

  @Override
  public double effectiveWeight() {
    return server.weight() * health().weightMultiplier();
  }

  @Override
  public int inFlight() {
    return 0;
  }

  @Override
  public boolean hasLatencySample() {
    return false;
  }

  @Override
  public long latencyEwmaNanos() {
    return 0;
  }

  @Override
  public long peakEwmaNanos() {
    return 0;
  }

  @Override
  public int consecutiveFailures() {
    return 0;
  }

  @Override
  public Outcome lastOutcome() {
    return null;
  }

  @Override
  public Selection selection() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Selection track() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Selection tryTrack(int maxInFlight) {
    throw new UnsupportedOperationException();
  }

  @Override
  public String toString() {
    return server.id();
  }
}
