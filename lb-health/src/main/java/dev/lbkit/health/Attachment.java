package dev.lbkit.health;

import dev.lbkit.api.HealthControl;
import dev.lbkit.api.HealthInput;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one balancer a health input serves. Every input of this module keeps per-balancer state
 * (per-server counters and timers, the control handle it was started with), so the same instance
 * given to a second balancer would mix the servers of both, and its ejections would count against
 * the wrong cap. {@link #claim} refuses a second start, naming both clusters; the runtime then
 * fails that balancer's {@code build()} and leaves the first balancer's input alone.
 *
 * <p>Thread-safe: two balancers built at once race on one compare-and-set.
 */
final class Attachment {

  private final AtomicReference<String> cluster = new AtomicReference<>();

  /**
   * Attaches {@code input} to the balancer of {@code control}.
   *
   * @throws IllegalStateException when the input was started before, by any balancer
   */
  void claim(HealthInput input, HealthControl control) {
    String name = control.cluster();
    if (!cluster.compareAndSet(null, name)) {
      throw new IllegalStateException(input + " is already attached to the balancer of cluster " + cluster.get()
          + "; cluster " + name + " needs its own: an input keeps per-balancer state, so build one per balancer");
    }
  }
}
