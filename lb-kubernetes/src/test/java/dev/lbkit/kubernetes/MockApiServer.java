package dev.lbkit.kubernetes;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * fabric8's mock Kubernetes API server in CRUD mode, in-process on a free loopback port: it
 * stores what is created, and serves lists, label selectors and watches of it, as an API server
 * does. No real API server is available as a package to start in tests, so this module is tested
 * against this one.
 */
final class MockApiServer implements AutoCloseable {

  static final String NAMESPACE = "prod";

  // Held so that the level sticks: the mock server logs every request at INFO through JUL.
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(Level.WARNING);
  }

  private final KubernetesMockServer server;
  private final NamespacedKubernetesClient client;

  /** Starts a server on a free loopback port. */
  MockApiServer() {
    this(0);
  }

  /** Starts a server on loopback port {@code port}, 0 for a free one. */
  MockApiServer(int port) {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), port);
    client = server.createClient();
  }

  /** The loopback port the server listens on. */
  int port() {
    return server.getPort();
  }

  /** A client configuration for the server, for a source to build its own client from. */
  Config config() {
    return client.getConfiguration();
  }

  /** The test's own client, to write slices with. */
  NamespacedKubernetesClient client() {
    return client;
  }

  /** Creates or replaces a slice in {@link #NAMESPACE}. */
  void apply(EndpointSlice slice) {
    client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).resource(slice).createOr(existing -> existing.update());
  }

  /** Deletes a slice of {@link #NAMESPACE}. */
  void delete(String sliceName) {
    client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).withName(sliceName).delete();
  }

  /** Stops the server: lists and watches fail from now on. */
  void stop() {
    server.destroy();
  }

  @Override
  public void close() {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // The mock's Vert.x server waits up to 10 s for each WebSocket it serves to finish its
      // closing handshake, then gives up with "Unable to close MockWebServer"; closing its Vert.x
      // instance then waits on the same connections and may give up too ("Unable to close
      // Vertx"). A source's closed watch may still be in that handshake: what the tests check is
      // the source's side (ClosingTest counts its threads and connections), not the mock's.
      if (!"Unable to close MockWebServer".equals(e.getMessage()) && !"Unable to close Vertx".equals(e.getMessage())) {
        throw e;
      }
    }
  }
}
