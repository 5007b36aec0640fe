package dev.lbkit.kubernetes;

import dev.lbkit.api.Server;
import dev.lbkit.kubernetes.EndpointSliceSourceBuilder.AddressFamily;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * Turns the EndpointSlices of one Service into an {@link EndpointSet}: a pure function, safe
 * from any thread.
 *
 * <p><b>Per slice.</b> A slice of another address type than the configured family is skipped
 * (a dual-stack Service has one set of slices per family; {@code FQDN} slices are never read).
 * The port is the slice's port whose name is the configured one (the Service's unnamed port
 * has the empty name, or none); a slice without that port, or whose port has no number or is
 * not TCP, contributes nothing, and is reported through the warning callback.
 *
 * <p><b>Per endpoint.</b> {@link EndpointState} decides from the conditions; the host is the
 * endpoint's first address (the API reference: addresses are fungible and consumers may use the
 * first only, kubernetes/kubernetes#106267); {@code zone} becomes {@link Server#zone()}; the
 * pod ({@code targetRef} of kind Pod) and node names become metadata under OpenTelemetry's
 * resource attribute names, {@value #POD_METADATA} and {@value #NODE_METADATA}. An address that
 * is no IP literal of the family is reported and skipped.
 *
 * <p><b>Merging.</b> During a rollout the EndpointSlice controller may list one address in two
 * slices for a moment. Servers are keyed by id ({@code address:port}); a pickable entry wins
 * over a draining one, and between equal states the slice whose name sorts first wins. The
 * result is sorted by id, so it does not depend on how the controller split the endpoints.
 *
 * <p>Cost: O(E log E) for E endpoints in all slices.
 */
final class EndpointSliceMapping {

  /** The label that ties an EndpointSlice to its Service (Kubernetes' {@code LabelServiceName}). */
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  /** Metadata key of the pod behind a server (OpenTelemetry's {@code k8s.pod.name}). */
  static final String POD_METADATA = "k8s.pod.name";

  /** Metadata key of the node the pod runs on (OpenTelemetry's {@code k8s.node.name}). */
  static final String NODE_METADATA = "k8s.node.name";

  private final String serviceName;
  private final String portName;
  private final AddressFamily family;

  EndpointSliceMapping(String serviceName, String portName, AddressFamily family) {
    this.serviceName = serviceName;
    this.portName = portName;
    this.family = family;
  }

  /**
   * The servers that {@code slices} offer.
   *
   * @param warn receives (slice name, problem) for each slice or endpoint that is skipped
   *     because it is malformed or lacks the port; called on the calling thread
   */
  EndpointSet map(Collection<EndpointSlice> slices, BiConsumer<String, String> warn) {
    List<EndpointSlice> ordered = new ArrayList<>(slices);
    ordered.sort(Comparator.comparing(EndpointSliceMapping::name));
    Map<String, Candidate> byId = new TreeMap<>();
    for (EndpointSlice slice : ordered) {
      Map<String, String> labels = slice.getMetadata().getLabels();
      if (labels == null || !serviceName.equals(labels.get(SERVICE_NAME_LABEL))
          || !family.addressType().equals(slice.getAddressType())) {
        continue;
      }
      Integer port = port(slice, warn);
      if (port == null || slice.getEndpoints() == null) {
        continue;
      }
      for (Endpoint endpoint : slice.getEndpoints()) {
        EndpointState state = EndpointState.of(endpoint.getConditions());
        if (state == EndpointState.EXCLUDED) {
          continue;
        }
        Server server = server(slice, endpoint, port, warn);
        if (server != null) {
          byId.merge(server.id(), new Candidate(server, state),
              (first, second) -> second.state == EndpointState.PICKABLE && first.state != EndpointState.PICKABLE ? second : first);
        }
      }
    }
    List<Server> servers = new ArrayList<>(byId.size());
    List<Server> draining = new ArrayList<>();
    for (Candidate c : byId.values()) {
      servers.add(c.server);
      if (c.state == EndpointState.DRAINING) {
        draining.add(c.server);
      }
    }
    return new EndpointSet(servers, draining);
  }

  /** The number of the configured port in {@code slice}, or null when it has no usable one. */
  private Integer port(EndpointSlice slice, BiConsumer<String, String> warn) {
    List<EndpointPort> ports = slice.getPorts() == null ? List.of() : slice.getPorts();
    for (EndpointPort p : ports) {
      String name = p.getName() == null ? "" : p.getName();
      if (!name.equals(portName)) {
        continue;
      }
      if (p.getPort() == null || p.getPort() < 1 || p.getPort() > 65535) {
        warn.accept(name(slice), "port " + describe(portName) + " has no number in [1, 65535], was " + p.getPort()
            + "; the slice contributes no server");
        return null;
      }
      if (p.getProtocol() != null && !"TCP".equals(p.getProtocol())) {
        warn.accept(name(slice), "port " + describe(portName) + " is " + p.getProtocol()
            + ", not TCP; the slice contributes no server");
        return null;
      }
      return p.getPort();
    }
    warn.accept(name(slice), "has no port " + describe(portName) + " (its ports: "
        + ports.stream().map(p -> describe(p.getName() == null ? "" : p.getName())).collect(Collectors.joining(", "))
        + "); the slice contributes no server");
    return null;
  }

  private Server server(EndpointSlice slice, Endpoint endpoint, int port, BiConsumer<String, String> warn) {
    List<String> addresses = endpoint.getAddresses();
    if (addresses == null || addresses.isEmpty()) {
      warn.accept(name(slice), "an endpoint has no address; skipped");
      return null;
    }
    String address = addresses.get(0);
    if (!family.accepts(address)) {
      warn.accept(name(slice), "address '" + address + "' is no " + family.addressType() + " literal; skipped");
      return null;
    }
    Server.Builder b = Server.builder(address, port);
    if (endpoint.getZone() != null && !endpoint.getZone().isBlank()) {
      b.zone(endpoint.getZone());
    }
    ObjectReference target = endpoint.getTargetRef();
    if (target != null && "Pod".equals(target.getKind()) && target.getName() != null) {
      b.metadata(POD_METADATA, target.getName());
    }
    if (endpoint.getNodeName() != null) {
      b.metadata(NODE_METADATA, endpoint.getNodeName());
    }
    return b.build();
  }

  private static String name(EndpointSlice slice) {
    String name = slice.getMetadata().getName();
    return name == null ? "" : name;
  }

  private static String describe(String portName) {
    return portName.isEmpty() ? "(unnamed)" : "'" + portName + "'";
  }

  /** A server and the state of the endpoint it came from. */
  private static final class Candidate {
    final Server server;
    final EndpointState state;

    Candidate(Server server, EndpointState state) {
      this.server = server;
      this.state = state;
    }
  }
}
