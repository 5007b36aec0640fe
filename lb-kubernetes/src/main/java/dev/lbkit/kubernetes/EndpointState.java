package dev.lbkit.kubernetes;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;

/**
 * What one EndpointSlice endpoint means to a balancer, decided from its three conditions.
 *
 * <p>Source: the {@code discovery.k8s.io/v1} API reference, {@code EndpointConditions}: an
 * absent {@code ready} or {@code serving} counts as true, an absent {@code terminating} as
 * false; and KEP-1672 (terminating endpoints), whose EndpointSlice controller sets {@code ready
 * = serving && !terminating} unless the Service publishes not-ready addresses. kube-proxy sends
 * new connections to ready endpoints and, only when none is ready, to serving terminating ones;
 * a client-side balancer can do better, and lets a terminating endpoint finish the calls it
 * has while it takes no new ones.
 *
 * <p>The table (t = true, f = false, absent = its default):
 * <table>
 *   <caption>Endpoint conditions and their state</caption>
 *   <tr><th>terminating</th><th>serving</th><th>ready</th><th>state</th></tr>
 *   <tr><td>f</td><td>any</td><td>t</td><td>{@link #PICKABLE}</td></tr>
 *   <tr><td>f</td><td>any</td><td>f</td><td>{@link #EXCLUDED}: not ready; {@code serving=true}
 *       does not change that, because readiness is what admits new traffic</td></tr>
 *   <tr><td>t</td><td>t</td><td>any</td><td>{@link #DRAINING}</td></tr>
 *   <tr><td>t</td><td>f</td><td>any</td><td>{@link #EXCLUDED}</td></tr>
 * </table>
 * A terminating endpoint is never pickable, even when {@code ready} is true (as it is for every
 * endpoint of a Service with {@code publishNotReadyAddresses}): it is going away, and new calls
 * sent to it would be cut off by its shutdown. Pure and stateless.
 */
enum EndpointState {
  /** Takes new picks. */
  PICKABLE,
  /** Takes no new picks; calls in flight finish. */
  DRAINING,
  /** Not offered to the balancer at all. */
  EXCLUDED;

  /** The state of an endpoint with {@code conditions}; null conditions are all absent. */
  static EndpointState of(EndpointConditions conditions) {
    Boolean ready = conditions == null ? null : conditions.getReady();
    Boolean serving = conditions == null ? null : conditions.getServing();
    Boolean terminating = conditions == null ? null : conditions.getTerminating();
    return of(ready, serving, terminating);
  }

  /** The state for the three conditions, each null when absent. */
  static EndpointState of(Boolean ready, Boolean serving, Boolean terminating) {
    if (Boolean.TRUE.equals(terminating)) {
      return Boolean.FALSE.equals(serving) ? EXCLUDED : DRAINING;
    }
    return Boolean.FALSE.equals(ready) ? EXCLUDED : PICKABLE;
  }
}
