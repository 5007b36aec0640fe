package dev.lbkit.simulator.bins;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;

/**
 * A bin for the balls-into-bins process: a simulator-made {@link Endpoint} whose in-flight
 * count is the number of balls placed in it. Every selection places a ball, and no ball ever
 * leaves (requests never complete), so a load-aware picker sees the exact loads of the greedy
 * process.
 */
final class BinEndpoint implements Endpoint {

  private final Server server;
  int balls;

  BinEndpoint(Server server) {
    this.server = server;
  }

  private Selection place() {
    balls++;
    return new Selection() {
      @Override
      public Server server() {
        return server;
      }

      @Override
      public void complete(long latencyNanos, Outcome outcome) {
        // balls stay where they were put
      }
    };
  }

  @Override
  public Server server() {
    return server;
  }

  @Override
  public HealthState health() {
    return HealthState.INITIAL;
  }

  @Override
  public double effectiveWeight() {
    return 1.0;
  }

  @Override
  public int inFlight() {
    return balls;
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
    return place();
  }

  @Override
  public Selection track() {
    return place();
  }

  @Override
  public Selection tryTrack(int maxInFlight) {
    return balls < maxInFlight ? place() : null;
  }

  @Override
  public String toString() {
    return "BinEndpoint{" + server.id() + ", balls=" + balls + "}";
  }
}
