package dev.lbkit.algorithms;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A test double of {@link Endpoint} whose statistics the test sets directly. */
final class FakeEndpoint implements Endpoint {

  private final Server server;
  private final Selection untracked;
  final AtomicInteger inFlight = new AtomicInteger();
  volatile double effectiveWeight;
  volatile boolean sampled;
  volatile long ewmaNanos;
  volatile long peakNanos;
  volatile HealthState health = HealthState.INITIAL;

  FakeEndpoint(Server server) {
    this.server = server;
    this.effectiveWeight = server.weight();
    this.untracked = new FakeSelection(false);
  }

  /** {@code n} endpoints 10.0.0.i:80 with weight 1. */
  static List<FakeEndpoint> of(int n) {
    List<FakeEndpoint> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(new FakeEndpoint(server(i, 1)));
    }
    return list;
  }

  /** Endpoints 10.0.0.i:80 with the given weights. */
  static List<FakeEndpoint> weighted(int... weights) {
    List<FakeEndpoint> list = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      list.add(new FakeEndpoint(server(i, weights[i])));
    }
    return list;
  }

  static Server server(int i, int weight) {
    return Server.builder("10.0." + (i / 250) + "." + (i % 250 + 1), 80).weight(weight).build();
  }

  FakeEndpoint inFlight(int n) {
    inFlight.set(n);
    return this;
  }

  FakeEndpoint latency(long ewma, long peak) {
    this.ewmaNanos = ewma;
    this.peakNanos = peak;
    this.sampled = true;
    return this;
  }

  @Override
  public Server server() {
    return server;
  }

  @Override
  public HealthState health() {
    return health;
  }

  FakeEndpoint health(HealthState h) {
    this.health = h;
    return this;
  }

  @Override
  public double effectiveWeight() {
    return effectiveWeight;
  }

  @Override
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public boolean hasLatencySample() {
    return sampled;
  }

  @Override
  public long latencyEwmaNanos() {
    return ewmaNanos;
  }

  @Override
  public long peakEwmaNanos() {
    return peakNanos;
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
    return untracked;
  }

  @Override
  public Selection track() {
    inFlight.incrementAndGet();
    return new FakeSelection(true);
  }

  @Override
  public Selection tryTrack(int maxInFlight) {
    int current;
    do {
      current = inFlight.get();
      if (current + 1 > maxInFlight) {
        return null;
      }
    } while (!inFlight.compareAndSet(current, current + 1));
    return new FakeSelection(true);
  }

  @Override
  public String toString() {
    return server.id() + "{w=" + effectiveWeight + ", inFlight=" + inFlight + "}";
  }

  /** A selection that releases its in-flight count once when tracked. */
  final class FakeSelection implements Selection {
    private final boolean tracked;
    private final AtomicInteger done = new AtomicInteger();

    FakeSelection(boolean tracked) {
      this.tracked = tracked;
    }

    boolean tracked() {
      return tracked;
    }

    FakeEndpoint endpoint() {
      return FakeEndpoint.this;
    }

    @Override
    public Server server() {
      return server;
    }

    @Override
    public void complete(long latencyNanos, Outcome outcome) {
      if (tracked && done.compareAndSet(0, 1)) {
        inFlight.decrementAndGet();
      }
    }
  }
}
