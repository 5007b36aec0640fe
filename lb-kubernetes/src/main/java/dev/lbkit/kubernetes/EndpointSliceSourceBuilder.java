package dev.lbkit.kubernetes;

import dev.lbkit.api.ServerSource;
import dev.lbkit.api.internal.HostSyntax;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Objects;

/**
 * Builds a source that watches the EndpointSlices of one Kubernetes Service. Obtained from
 * {@link KubernetesSources#endpointSlices}. Settings are validated in {@link #build()}; messages
 * name the field and the value. Not thread-safe.
 *
 * <pre>{@code
 * ServerSource users = KubernetesSources.endpointSlices("prod", "users")
 *     .portName("http")
 *     .build();
 * }</pre>
 *
 * <p><b>The client.</b> By default the source builds its own fabric8 client from the standard
 * configuration ({@link Config#autoConfigure}: the pod's service account inside a cluster, else
 * {@code ~/.kube/config} and the {@code KUBERNETES_*} variables), and closes it with the source.
 * {@link #config} gives another configuration; {@link #client} shares a client the caller owns,
 * and does not close (so that many sources share one connection pool).
 *
 * <p><b>Permissions.</b> The client's identity needs {@code list} and {@code watch} on {@code
 * endpointslices} of group {@code discovery.k8s.io} in the namespace (a Role and RoleBinding).
 */
public final class EndpointSliceSourceBuilder {

  /** Which EndpointSlices are read: a dual-stack Service has one set per IP family. */
  public enum AddressFamily {
    /** Slices of {@code addressType: IPv4}. */
    IPV4("IPv4", 4),
    /** Slices of {@code addressType: IPv6}. */
    IPV6("IPv6", 16);

    private final String addressType;
    private final int bytes;

    AddressFamily(String addressType, int bytes) {
      this.addressType = addressType;
      this.bytes = bytes;
    }

    /** The EndpointSlice {@code addressType} of this family: {@code IPv4} or {@code IPv6}. */
    public String addressType() {
      return addressType;
    }

    /** Whether {@code address} is an IP literal of this family. */
    boolean accepts(String address) {
      byte[] parsed = HostSyntax.ipLiteral(address);
      return parsed != null && parsed.length == bytes;
    }
  }

  /**
   * Default port name, the empty name: the one port of a Service whose single port is unnamed,
   * as Kubernetes allows. A Service with several ports names each, and needs {@link #portName}.
   */
  public static final String DEFAULT_PORT_NAME = "";

  /**
   * Default address family, {@link AddressFamily#IPV4}: single-stack IPv4 is the common
   * cluster, and a dual-stack Service publishes IPv4 slices as well.
   */
  public static final AddressFamily DEFAULT_ADDRESS_FAMILY = AddressFamily.IPV4;

  final String namespace;
  final String serviceName;
  String portName = DEFAULT_PORT_NAME;
  AddressFamily family = DEFAULT_ADDRESS_FAMILY;
  Config config;
  KubernetesClient client;

  EndpointSliceSourceBuilder(String namespace, String serviceName) {
    this.namespace = namespace;
    this.serviceName = serviceName;
  }

  /**
   * The name of the Service port to use, as the Service's {@code spec.ports[].name} gives it;
   * default {@link #DEFAULT_PORT_NAME}, the unnamed port. A slice without a port of this name
   * contributes no server, and a warning is logged once per slice: it is a misconfiguration (a
   * typo, or a port renamed in the Service), and guessing another port could send calls to a
   * metrics or admin port.
   */
  public EndpointSliceSourceBuilder portName(String portName) {
    this.portName = portName;
    return this;
  }

  /** Which slices to read; default {@link #DEFAULT_ADDRESS_FAMILY}. */
  public EndpointSliceSourceBuilder addressFamily(AddressFamily family) {
    this.family = Objects.requireNonNull(family, "addressFamily");
    return this;
  }

  /**
   * The configuration of the client that the source builds, owns and closes; default {@link
   * Config#autoConfigure} with no context. Exclusive with {@link #client}.
   */
  public EndpointSliceSourceBuilder config(Config config) {
    this.config = Objects.requireNonNull(config, "config");
    return this;
  }

  /**
   * A client the caller owns: the source watches through it and never closes it, and its
   * informer callbacks run on the client's executor. Exclusive with {@link #config}.
   */
  public EndpointSliceSourceBuilder client(KubernetesClient client) {
    this.client = Objects.requireNonNull(client, "client");
    return this;
  }

  /**
   * Validates the settings and builds the source. Nothing connects before {@link
   * ServerSource#start}.
   *
   * @throws IllegalArgumentException naming the field and the value of a bad setting
   */
  public ServerSource build() {
    KubernetesNames.checkNamespace(namespace);
    KubernetesNames.checkServiceName(serviceName);
    KubernetesNames.checkPortName(portName);
    if (config != null && client != null) {
      throw new IllegalArgumentException(
          "config and client are exclusive, was config for " + config.getMasterUrl() + " and a client for "
              + client.getMasterUrl());
    }
    return new EndpointSliceSource(this);
  }
}
