package dev.lbkit.benchmarks;

import com.linecorp.armeria.client.ClientRequestContext;
import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.endpoint.EndpointGroup;
import com.linecorp.armeria.client.endpoint.EndpointSelectionStrategy;
import com.linecorp.armeria.client.endpoint.EndpointSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * Armeria's round-robin endpoint selector over a static group, built through its public API, so
 * that benchmarks can call the selector an Armeria client calls for every request.
 *
 * <p>{@code EndpointSelectionStrategy.roundRobin().newSelector(EndpointGroup.of(endpoints))}: in
 * Armeria 1.33 the selector reads a volatile reference to a {@code RoundRobinLoadBalancer}
 * (rebuilt when the group changes), whose {@code pick} is one {@code AtomicInteger} increment and
 * a list read. That balancer is a {@code SimpleLoadBalancer}, whose {@code pick(ctx)} ignores the
 * context, so the benchmarks pass {@link #NO_CONTEXT} rather than build a {@link
 * ClientRequestContext}, which would start Armeria's event loops in the benchmark process.
 */
final class ArmeriaRoundRobin {

  /** The context passed to {@code selectNow}: the round-robin selector never reads it. */
  static final ClientRequestContext NO_CONTEXT = null;

  private ArmeriaRoundRobin() {}

  /**
   * A round-robin selector over {@code n} endpoints.
   *
   * @throws IllegalStateException if the selector has no endpoint to select right after creation
   */
  static EndpointSelector selector(int n) {
    List<Endpoint> endpoints = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      endpoints.add(Endpoint.of("127.0." + (i / 250) + "." + (i % 250 + 1), 8080));
    }
    EndpointSelector selector = EndpointSelectionStrategy.roundRobin().newSelector(EndpointGroup.of(endpoints));
    if (selector.selectNow(NO_CONTEXT) == null) {
      throw new IllegalStateException("Armeria's round-robin selector selected nothing from " + n + " endpoints");
    }
    return selector;
  }
}
