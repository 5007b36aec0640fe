package dev.lbkit.testing;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An {@link Endpoint} whose health and statistics a test sets directly: the input to test an
 * {@code Algorithm}'s picker, or a {@code HealthInput}, without a running balancer.
 *
 * <pre>{@code
 * List<FakeEndpoint> endpoints = FakeEndpoint.weighted(5, 1, 1);   // 10.0.0.1:80 .. 10.0.0.3:80
 * endpoints.get(0).inFlight(12).latency(20_000_000, 35_000_000);
 * endpoints.get(2).health(HealthState.INITIAL.withEjection("5 consecutive failures"));
 * Picker picker = myAlgorithm.newPicker(List.copyOf(endpoints), context);
 * }</pre>
 *
 * <p>It starts with health {@link HealthState#INITIAL}, nothing in flight, no latency sample,
 * no failures and no outcome. Its {@linkplain #effectiveWeight() effective weight} is the
 * server's weight times the health's weight multiplier, unless a test sets one. {@link #track()}
 * and {@link #tryTrack(int)} count an in-flight request that the returned selection releases
 * on its first {@code complete}; a selection records nothing else.
 *
 * <p><b>Threading.</b> Thread-safe: settings are volatile and the in-flight count is atomic, so
 * pickers may run on several threads while a test changes the endpoint.
 */
public final class FakeEndpoint implements Endpoint {

  private final Server server;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile Supplier<HealthState> health = () -> HealthState.INITIAL;
  private volatile double effectiveWeight = Double.NaN; // NaN: derived from the weight and health
  private volatile boolean sampled;
  private volatile long ewmaNanos;
  private volatile long peakNanos;
  private volatile int consecutiveFailures;
  private volatile Outcome lastOutcome;

  /** An endpoint of {@code server}, healthy and idle. */
  public FakeEndpoint(Server server) {
    this.server = Objects.requireNonNull(server, "server");
  }

  /** {@code n} endpoints {@code 10.0.0.1:80}, {@code 10.0.0.2:80}... of weight 1. */
  public static List<FakeEndpoint> of(int n) {
    int[] weights = new int[n];
    Arrays.fill(weights, 1);
    return weighted(weights);
  }

  /**
   * One endpoint per weight, {@code 10.0.0.1:80}, {@code 10.0.0.2:80}..., continuing as {@code
   * 10.0.1.1:80} after 250 servers.
   */
  public static List<FakeEndpoint> weighted(int... weights) {
    List<FakeEndpoint> list = new ArrayList<>(weights.length);
    for (int i = 0; i < weights.length; i++) {
      Server s = Server.builder("10.0." + (i / 250) + "." + (i % 250 + 1), 80).weight(weights[i]).build();
      list.add(new FakeEndpoint(s));
    }
    return list;
  }

  /** Sets the health that {@link #health()} returns. */
  public FakeEndpoint health(HealthState health) {
    Objects.requireNonNull(health, "health");
    this.health = () -> health;
    return this;
  }

  /**
   * Reads the health from {@code health} on every {@link #health()} call: for an endpoint whose
   * health a fake control plane computes.
   */
  public FakeEndpoint healthFrom(Supplier<HealthState> health) {
    this.health = Objects.requireNonNull(health, "health");
    return this;
  }

  /** Sets the in-flight count. */
  public FakeEndpoint inFlight(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("inFlight must not be negative, was " + n);
    }
    inFlight.set(n);
    return this;
  }

  /** Sets both latency estimates, in nanoseconds, and makes {@link #hasLatencySample()} true. */
  public FakeEndpoint latency(long ewmaNanos, long peakNanos) {
    this.ewmaNanos = ewmaNanos;
    this.peakNanos = peakNanos;
    this.sampled = true;
    return this;
  }

  /** Sets the effective weight, overriding the server's weight times the health's multiplier. */
  public FakeEndpoint effectiveWeight(double weight) {
    if (!(weight > 0)) {
      throw new IllegalArgumentException("effectiveWeight must be positive, was " + weight);
    }
    this.effectiveWeight = weight;
    return this;
  }

  /** Sets the consecutive failure count and the last outcome. */
  public FakeEndpoint failures(int consecutiveFailures, Outcome lastOutcome) {
    if (consecutiveFailures < 0) {
      throw new IllegalArgumentException("consecutiveFailures must not be negative, was " + consecutiveFailures);
    }
    this.consecutiveFailures = consecutiveFailures;
    this.lastOutcome = lastOutcome;
    return this;
  }

  @Override
  public Server server() {
    return server;
  }

  @Override
  public HealthState health() {
    return health.get();
  }

  @Override
  public double effectiveWeight() {
    double set = effectiveWeight;
    return Double.isNaN(set) ? server.weight() * health().weightMultiplier() : set;
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
    return consecutiveFailures;
  }

  @Override
  public Outcome lastOutcome() {
    return lastOutcome;
  }

  @Override
  public Selection selection() {
    return new FakeSelection(false);
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
    return server.id() + "{w=" + effectiveWeight() + ", inFlight=" + inFlight + "}";
  }

  /**
   * A selection of a {@link FakeEndpoint}: a tracked one releases its in-flight request on its
   * first {@code complete}; later reports do nothing.
   */
  public final class FakeSelection implements Selection {
    private final boolean tracked;
    private final AtomicInteger completions = new AtomicInteger();

    private FakeSelection(boolean tracked) {
      this.tracked = tracked;
    }

    /** Whether it counted an in-flight request: made by {@code track} or {@code tryTrack}. */
    public boolean tracked() {
      return tracked;
    }

    /** The endpoint it selects. */
    public FakeEndpoint endpoint() {
      return FakeEndpoint.this;
    }

    /** How many times {@code complete} was called; only the first one counts. */
    public int completions() {
      return completions.get();
    }

    @Override
    public Server server() {
      return server;
    }

    @Override
    public void complete(long latencyNanos, Outcome outcome) {
      if (completions.getAndIncrement() == 0 && tracked) {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public String toString() {
      return (tracked ? "tracked " : "") + "selection of " + server.id();
    }
  }
}
