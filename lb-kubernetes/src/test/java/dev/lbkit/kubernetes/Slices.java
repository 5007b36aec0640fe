package dev.lbkit.kubernetes;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;

/** EndpointSlices as the EndpointSlice controller writes them, for tests. */
final class Slices {

  private Slices() {}

  /** A slice of {@code service} in {@link MockApiServer#NAMESPACE}. */
  static EndpointSlice slice(String name, String service, String addressType, List<EndpointPort> ports, Endpoint... endpoints) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(MockApiServer.NAMESPACE)
        .addToLabels(EndpointSliceMapping.SERVICE_NAME_LABEL, service)
        .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io")
        .endMetadata()
        .withAddressType(addressType)
        .withPorts(ports)
        .withEndpoints(endpoints)
        .build();
  }

  /** An IPv4 slice of service "users" with one TCP port named "http", 8080. */
  static EndpointSlice users(String name, Endpoint... endpoints) {
    return slice(name, "users", "IPv4", List.of(port("http", 8080)), endpoints);
  }

  static EndpointPort port(String name, int number) {
    return new EndpointPortBuilder().withName(name).withPort(number).withProtocol("TCP").build();
  }

  /** An endpoint with the given conditions (null: absent) in {@code zone} (null: none). */
  static Endpoint endpoint(String address, String zone, Boolean ready, Boolean serving, Boolean terminating) {
    EndpointBuilder b = new EndpointBuilder()
        .withAddresses(address)
        .withZone(zone)
        .withConditions(new EndpointConditions(ready, serving, terminating));
    return b.build();
  }

  /** A ready pod endpoint, as the controller writes it: all three conditions set. */
  static Endpoint ready(String address, String zone) {
    return endpoint(address, zone, true, true, false);
  }

  /** A ready endpoint backed by pod {@code pod} on node {@code node}. */
  static Endpoint pod(String address, String zone, String pod, String node) {
    return new EndpointBuilder(ready(address, zone))
        .withTargetRef(new ObjectReferenceBuilder().withKind("Pod").withName(pod).withNamespace(MockApiServer.NAMESPACE).build())
        .withNodeName(node)
        .build();
  }

  /** A pod that is shutting down but still serving: draining. */
  static Endpoint terminating(String address, String zone) {
    return endpoint(address, zone, false, true, true);
  }
}
