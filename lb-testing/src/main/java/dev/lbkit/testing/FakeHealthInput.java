package dev.lbkit.testing;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link HealthInput} that hands its {@link HealthControl} to the test: attach it to a
 * {@code LoadBalancer}, then mark servers {@linkplain #down down} and {@linkplain #up up}, or
 * eject them through {@link #control()}, as a real health mechanism would. It records what the
 * balancer tells it.
 *
 * <pre>{@code
 * FakeHealthInput health = new FakeHealthInput();
 * LoadBalancer lb = LoadBalancer.builder("users").servers(a, b).healthInput(health).build();
 * health.down(a);                            // a fails its (imaginary) active check
 * assertEquals(b, lb.pick().server());
 * health.control().eject(b, "test");         // the last pickable server: refused
 * }</pre>
 *
 * <p><b>Threading.</b> Thread-safe. The balancer calls it on its control plane and, for
 * outcomes, on the reporting threads; the recordings are concurrent lists.
 */
public final class FakeHealthInput implements HealthInput {

  private volatile HealthControl control;
  private volatile List<Endpoint> endpoints = List.of();
  private final List<String> outcomes = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  @Override
  public void start(HealthControl control) {
    this.control = control;
  }

  /**
   * The control the balancer gave this input in {@code start}.
   *
   * @throws IllegalStateException when no balancer has started it yet
   */
  public HealthControl control() {
    HealthControl c = control;
    if (c == null) {
      throw new IllegalStateException("FakeHealthInput was not started: give it to LoadBalancer.builder(...).healthInput(...) first");
    }
    return c;
  }

  /** Whether a balancer has started it. */
  public boolean isStarted() {
    return control != null;
  }

  /** Sets the active verdict of {@code servers} to unhealthy, with the reason "down in test". */
  public void down(Server... servers) {
    for (Server s : servers) {
      control().setActive(s, ActiveHealth.UNHEALTHY, "down in test");
    }
  }

  /** Sets the active verdict of {@code servers} to healthy, with the reason "up in test". */
  public void up(Server... servers) {
    for (Server s : servers) {
      control().setActive(s, ActiveHealth.HEALTHY, "up in test");
    }
  }

  @Override
  public void onServersChanged(List<Endpoint> endpoints) {
    this.endpoints = List.copyOf(endpoints);
  }

  /** The server set of the latest {@code onServersChanged}, empty before the first. */
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  @Override
  public void onOutcome(Endpoint endpoint, Outcome outcome, long latencyNanos) {
    outcomes.add(endpoint.server().id() + " " + outcome + " failures=" + endpoint.consecutiveFailures());
  }

  /**
   * Every outcome reported so far, in order, as {@code "10.0.0.1:80 TIMEOUT failures=1"}: the
   * server, the outcome and the endpoint's consecutive failures once it was counted.
   */
  public List<String> outcomes() {
    return List.copyOf(outcomes);
  }

  @Override
  public void close() {
    closed = true;
  }

  /** Whether the balancer closed it. */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public String toString() {
    return "FakeHealthInput";
  }
}
