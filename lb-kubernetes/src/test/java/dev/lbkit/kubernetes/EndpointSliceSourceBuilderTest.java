package dev.lbkit.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;

/** Bad settings fail at build(), naming the field and the value, before anything connects. */
class EndpointSliceSourceBuilderTest {

  private static String message(EndpointSliceSourceBuilder b) {
    return assertThrows(IllegalArgumentException.class, b::build).getMessage();
  }

  private static EndpointSliceSourceBuilder users() {
    return KubernetesSources.endpointSlices("prod", "users");
  }

  @Test
  void namespacesMustBeDns1123Labels() {
    assertEquals("namespace must be a DNS-1123 label, was 'Prod' (character 'P' at index 0 is not a lowercase letter, digit or '-')",
        message(KubernetesSources.endpointSlices("Prod", "users")));
    assertEquals("namespace must be a DNS-1123 label, was '-prod' (it starts or ends with '-')",
        message(KubernetesSources.endpointSlices("-prod", "users")));
    assertEquals("namespace must be a DNS-1123 label, was 'team.prod' (character '.' at index 4 is not a lowercase letter, digit or '-')",
        message(KubernetesSources.endpointSlices("team.prod", "users")));
    assertEquals("namespace must be a DNS-1123 label, was '' (it is empty)",
        message(KubernetesSources.endpointSlices("", "users")));
    assertEquals("namespace must be a DNS-1123 label, was null (it is null)",
        message(KubernetesSources.endpointSlices(null, "users")));
    String longName = "a".repeat(64);
    assertEquals("namespace must be a DNS-1123 label, was '" + longName + "' (it is longer than 63 characters)",
        message(KubernetesSources.endpointSlices(longName, "users")));
  }

  @Test
  void serviceNamesMustBeDns1035Labels() {
    assertEquals("serviceName must be a DNS-1035 label, was '1users' (it must start with a letter)",
        message(KubernetesSources.endpointSlices("prod", "1users")));
    assertEquals("serviceName must be a DNS-1035 label, was 'users_v2' (character '_' at index 5 is not a lowercase letter, digit or '-')",
        message(KubernetesSources.endpointSlices("prod", "users_v2")));
    assertEquals("serviceName must be a DNS-1035 label, was 'users-' (it starts or ends with '-')",
        message(KubernetesSources.endpointSlices("prod", "users-")));
  }

  @Test
  void portNamesMustBeEmptyOrDns1123Labels() {
    assertEquals("portName must be empty or a DNS-1123 label, was 'HTTP' (character 'H' at index 0 is not a lowercase letter, digit or '-')",
        message(users().portName("HTTP")));
    assertEquals("portName must be empty or a DNS-1123 label, was 'http-' (it starts or ends with '-')",
        message(users().portName("http-")));
    assertEquals("portName must be empty or a DNS-1123 label, was null (it is null)",
        message(users().portName(null)));
  }

  @Test
  void configAndClientAreExclusive() {
    Config config = new ConfigBuilder().withMasterUrl("https://127.0.0.1:6443").build();
    try (KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:7443").build()).build()) {
      assertEquals("config and client are exclusive, was config for https://127.0.0.1:6443/ and a client for https://127.0.0.1:7443/",
          message(users().config(config).client(client)));
    }
  }

  @Test
  void validNamesBuildWithoutConnecting() {
    // A closed port: build() must not connect, so it succeeds; only start() would.
    Config nowhere = new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build();
    KubernetesSources.endpointSlices("kube-system", "a").portName("").config(nowhere).build().close();
    KubernetesSources.endpointSlices("0prod", "users-v2").portName("grpc-web").config(nowhere).build().close();
  }
}
