package dev.lbkit.kubernetes;

/**
 * Server sources backed by the Kubernetes API: the EndpointSlices of a Service, watched.
 *
 * <p>Unlike DNS (a headless Service's A records, {@code lb-discovery}), EndpointSlices carry
 * each endpoint's readiness, its terminating state and its zone, and a watch delivers changes
 * within the API server's latency instead of a TTL.
 */
public final class KubernetesSources {

  private KubernetesSources() {}

  /**
   * A builder of a source that watches the EndpointSlices ({@code discovery.k8s.io/v1}) of
   * Service {@code serviceName} in {@code namespace}. Both names are checked in {@code build()}.
   */
  public static EndpointSliceSourceBuilder endpointSlices(String namespace, String serviceName) {
    return new EndpointSliceSourceBuilder(namespace, serviceName);
  }
}
