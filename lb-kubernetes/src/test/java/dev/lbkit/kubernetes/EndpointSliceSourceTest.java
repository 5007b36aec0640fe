package dev.lbkit.kubernetes;

import static dev.lbkit.kubernetes.Slices.endpoint;
import static dev.lbkit.kubernetes.Slices.pod;
import static dev.lbkit.kubernetes.Slices.port;
import static dev.lbkit.kubernetes.Slices.ready;
import static dev.lbkit.kubernetes.Slices.slice;
import static dev.lbkit.kubernetes.Slices.terminating;
import static dev.lbkit.kubernetes.Slices.users;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.kubernetes.EndpointSliceSourceBuilder.AddressFamily;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The source against fabric8's mock API server in CRUD mode: slices are created, updated and
 * deleted through the API, and the source sees them through its informer's list and watch.
 * Every assertion names the exact list (and draining subset) expected.
 */
class EndpointSliceSourceTest {

  private final MockApiServer api = new MockApiServer();
  private final RecordingListener listener = new RecordingListener();
  private ServerSource source;

  @AfterEach
  void tearDown() {
    if (source != null) {
      source.close();
    }
    api.close();
  }

  private void start(EndpointSliceSourceBuilder builder) {
    source = builder.config(api.config()).build();
    source.start(listener);
  }

  private void startUsers() {
    start(KubernetesSources.endpointSlices(MockApiServer.NAMESPACE, "users").portName("http"));
  }

  private static Server server(String host, int port, String zone) {
    return Server.builder(host, port).zone(zone).build();
  }

  @Test
  void readyEndpointsArePickableWithTheirZoneAndPodAndNodeMetadata() {
    api.apply(users("users-abc12",
        pod("10.0.0.2", "zone-b", "users-7d9f-x2", "node-2"),
        pod("10.0.0.1", "zone-a", "users-7d9f-x1", "node-1")));
    startUsers();

    listener.awaitLast(
        Server.builder("10.0.0.1", 8080).zone("zone-a")
            .metadata("k8s.pod.name", "users-7d9f-x1").metadata("k8s.node.name", "node-1").build(),
        Server.builder("10.0.0.2", 8080).zone("zone-b")
            .metadata("k8s.pod.name", "users-7d9f-x2").metadata("k8s.node.name", "node-2").build());
  }

  @Test
  void eachCombinationOfConditionsDecidesPickableDrainingOrExcluded() {
    api.apply(users("users-abc12",
        endpoint("10.0.0.1", "z", true, true, false),     // ready: pickable
        endpoint("10.0.0.2", "z", null, null, null),      // all absent: ready, as Kubernetes defines it
        endpoint("10.0.0.3", "z", false, false, false),   // not ready, not serving: excluded
        endpoint("10.0.0.4", "z", false, true, false),    // serving but not ready, not terminating: excluded
        endpoint("10.0.0.5", "z", false, true, true),     // serving and terminating: draining
        endpoint("10.0.0.6", "z", false, false, true),    // terminating, no longer serving: excluded
        endpoint("10.0.0.7", "z", true, true, true),      // ready but terminating: draining
        endpoint("10.0.0.8", "z", false, null, true),     // terminating, serving absent (true): draining
        endpoint("10.0.0.9", "z", null, true, false)));   // ready absent, serving: pickable
    startUsers();

    Server s5 = server("10.0.0.5", 8080, "z");
    Server s7 = server("10.0.0.7", 8080, "z");
    Server s8 = server("10.0.0.8", 8080, "z");
    listener.awaitLast(
        List.of(server("10.0.0.1", 8080, "z"), server("10.0.0.2", 8080, "z"), s5, s7, s8, server("10.0.0.9", 8080, "z")),
        List.of(s5, s7, s8));
  }

  @Test
  void slicesAddedUpdatedAndDeletedChangeTheList() {
    startUsers();
    listener.awaitLast();   // the Service has no slice yet: an empty list, once the first list is in

    api.apply(users("users-a", ready("10.0.0.1", "zone-a"), ready("10.0.0.2", "zone-a")));
    listener.awaitLast(server("10.0.0.1", 8080, "zone-a"), server("10.0.0.2", 8080, "zone-a"));

    api.apply(users("users-b", ready("10.0.1.1", "zone-b")));
    listener.awaitLast(server("10.0.0.1", 8080, "zone-a"), server("10.0.0.2", 8080, "zone-a"), server("10.0.1.1", 8080, "zone-b"));

    // 10.0.0.2 leaves, 10.0.0.1 turns terminating, 10.0.0.3 arrives not ready yet.
    api.apply(users("users-a", terminating("10.0.0.1", "zone-a"), endpoint("10.0.0.3", "zone-a", false, false, false)));
    Server draining = server("10.0.0.1", 8080, "zone-a");
    listener.awaitLast(List.of(draining, server("10.0.1.1", 8080, "zone-b")), List.of(draining));

    // 10.0.0.3 becomes ready.
    api.apply(users("users-a", terminating("10.0.0.1", "zone-a"), ready("10.0.0.3", "zone-a")));
    listener.awaitLast(List.of(draining, server("10.0.0.3", 8080, "zone-a"), server("10.0.1.1", 8080, "zone-b")), List.of(draining));

    api.delete("users-b");
    listener.awaitLast(List.of(draining, server("10.0.0.3", 8080, "zone-a")), List.of(draining));

    api.delete("users-a");
    listener.awaitLast();
  }

  @Test
  void theSlicesOfAServiceAreMergedAndAnAddressInTwoSlicesCountsOnce() {
    api.apply(users("users-a", ready("10.0.0.1", "zone-a"), terminating("10.0.0.2", "zone-a")));
    // Mid-rollout the controller lists 10.0.0.2 in a second slice too, ready there: ready wins.
    api.apply(users("users-b", ready("10.0.0.2", "zone-a"), ready("10.0.0.3", "zone-b"), ready("10.0.0.1", "zone-a")));
    startUsers();

    listener.awaitLast(server("10.0.0.1", 8080, "zone-a"), server("10.0.0.2", 8080, "zone-a"), server("10.0.0.3", 8080, "zone-b"));
  }

  @Test
  void slicesOfOtherServicesAreNotRead() {
    api.apply(users("users-a", ready("10.0.0.1", "zone-a")));
    api.apply(slice("orders-a", "orders", "IPv4", List.of(port("http", 8080)), ready("10.9.9.9", "zone-a")));
    startUsers();

    listener.awaitLast(server("10.0.0.1", 8080, "zone-a"));
  }

  @Test
  void aDualStackServiceIsReadByTheConfiguredAddressFamily() {
    api.apply(users("users-v4", ready("10.0.0.1", "zone-a")));
    api.apply(slice("users-v6", "users", "IPv6", List.of(port("http", 8080)),
        ready("fd00::1", "zone-a"), ready("fd00::2", "zone-b")));

    startUsers();
    listener.awaitLast(server("10.0.0.1", 8080, "zone-a"));

    RecordingListener v6 = new RecordingListener();
    try (ServerSource ipv6 = KubernetesSources.endpointSlices(MockApiServer.NAMESPACE, "users")
        .portName("http").addressFamily(AddressFamily.IPV6).config(api.config()).build()) {
      ipv6.start(v6);
      v6.awaitLast(server("fd00::1", 8080, "zone-a"), server("fd00::2", 8080, "zone-b"));
      assertEquals("[fd00::1]:8080", v6.pushes().get(v6.pushes().size() - 1).servers.get(0).id());
    }
  }

  @Test
  void theNamedPortSelectsThePortAndASliceWithoutItContributesNothing() {
    applyNamedAndUnnamedSlices();
    startUsers();
    listener.awaitLast(server("10.0.0.1", 8080, "zone-a"));
  }

  @Test
  void anotherPortNameSelectsAnotherPort() {
    applyNamedAndUnnamedSlices();
    start(KubernetesSources.endpointSlices(MockApiServer.NAMESPACE, "users").portName("metrics"));
    listener.awaitLast(server("10.0.0.1", 9090, "zone-a"));
  }

  @Test
  void theDefaultPortNameSelectsTheUnnamedPort() {
    applyNamedAndUnnamedSlices();
    start(KubernetesSources.endpointSlices(MockApiServer.NAMESPACE, "users"));
    listener.awaitLast(server("10.0.0.2", 8080, "zone-a"));
  }

  /** One source per test: one mock API server serves one informer's watch at a time reliably. */
  private void applyNamedAndUnnamedSlices() {
    List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort> ports = List.of(port("metrics", 9090), port("http", 8080));
    api.apply(slice("users-a", "users", "IPv4", ports, ready("10.0.0.1", "zone-a")));
    // A slice written by a tool that lost the port names: it offers no port "http".
    api.apply(slice("users-b", "users", "IPv4", List.of(port("", 8080)), ready("10.0.0.2", "zone-a")));
  }

  @Test
  void aListThatDidNotChangeIsNotPushedAgain() {
    api.apply(users("users-a", ready("10.0.0.1", "zone-a")));
    startUsers();
    listener.awaitLast(server("10.0.0.1", 8080, "zone-a"));

    // A change that maps to the same servers (a not-ready endpoint appears), then a real one.
    api.apply(users("users-a", ready("10.0.0.1", "zone-a"), endpoint("10.0.0.2", "zone-a", false, false, false)));
    api.apply(users("users-a", ready("10.0.0.1", "zone-a"), ready("10.0.0.3", "zone-a")));
    listener.awaitLast(server("10.0.0.1", 8080, "zone-a"), server("10.0.0.3", 8080, "zone-a"));

    assertEquals(2, listener.pushes().size(), "pushes: " + listener.pushes());
  }

  @Test
  void aFailedListIsReportedAndRetriedUntilTheApiServerAnswers() {
    int port = api.port();
    // fabric8 retries a failed request 10 times with back-off (about 20 s) before the informer
    // sees the failure; once is enough here.
    io.fabric8.kubernetes.client.Config config =
        new io.fabric8.kubernetes.client.ConfigBuilder(api.config()).withRequestRetryBackoffLimit(1).build();
    api.close();

    source = KubernetesSources.endpointSlices(MockApiServer.NAMESPACE, "users").portName("http").config(config).build();
    source.start(listener);
    listener.awaitErrors(1);
    assertEquals(List.of(), listener.pushes(), "nothing is pushed while the API server cannot be reached");

    try (MockApiServer back = new MockApiServer(port)) {
      back.apply(users("users-a", ready("10.0.0.1", "zone-a")));
      listener.awaitLast(server("10.0.0.1", 8080, "zone-a"));
      source.close();   // before the server, which would otherwise wait for the open watch
    }
  }
}
