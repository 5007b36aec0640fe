package dev.lbkit.kubernetes;

import dev.lbkit.api.Server;
import java.util.List;
import java.util.Objects;

/**
 * What a Service's EndpointSlices offer at one moment: every server the balancer should know,
 * sorted by id, and the subset of them that is draining. An immutable value, compared whole, so
 * that the source pushes only lists that changed.
 */
final class EndpointSet {

  static final EndpointSet EMPTY = new EndpointSet(List.of(), List.of());

  /** Pickable and draining servers, sorted by {@link Server#id()}, one per id. */
  final List<Server> servers;

  /** The draining servers, a subset of {@link #servers}, in the same order. */
  final List<Server> draining;

  EndpointSet(List<Server> servers, List<Server> draining) {
    this.servers = List.copyOf(servers);
    this.draining = List.copyOf(draining);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EndpointSet
        && servers.equals(((EndpointSet) o).servers)
        && draining.equals(((EndpointSet) o).draining);
  }

  @Override
  public int hashCode() {
    return Objects.hash(servers, draining);
  }

  @Override
  public String toString() {
    return servers.size() + " servers " + servers + ", draining " + draining;
  }
}
