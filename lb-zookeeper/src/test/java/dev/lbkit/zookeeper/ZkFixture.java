package dev.lbkit.zookeeper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;

/**
 * A real ZooKeeper server in-process (Curator's {@link TestingServer}) on a free loopback port,
 * with a 200 ms tick so that sessions may be as short as 400 ms, and registrants that register
 * instances through {@code curator-x-discovery}, exactly as Spring Cloud Zookeeper and Dubbo do.
 */
final class ZkFixture implements AutoCloseable {

  static final String BASE_PATH = "/services";

  /** 200 ms: ZooKeeper bounds session timeouts to [2, 20] ticks, so [400 ms, 4 s]. */
  private static final int TICK_MILLIS = 200;

  /** Session timeout of registrants: their ephemeral instances vanish this long after they die. */
  static final int REGISTRANT_SESSION_MILLIS = 1_000;

  final TestingServer server;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  ZkFixture(Path dataDir) throws Exception {
    InstanceSpec spec = new InstanceSpec(dataDir.toFile(), -1, -1, -1, false, 1, TICK_MILLIS, -1);
    this.server = new TestingServer(spec, true);
  }

  String connectString() {
    return server.getConnectString();
  }

  /**
   * A registrant: its own client and service discovery, connected to {@code connectString}.
   *
   * <p>The client is connected before the discovery starts: a discovery that sees its client
   * connect re-registers its instances (deleting and re-creating each znode), which would race
   * with the tests' first reads. With {@code compatible} false, the discovery writes the full
   * JSON of Curator 4+ (with {@code enabled}); Curator's default (true, which Spring Cloud
   * Zookeeper keeps) writes the older form without it.
   */
  Registrant registrant(String connectString, boolean compatible) throws Exception {
    CuratorFramework client = CuratorFrameworkFactory.builder()
        .connectString(connectString)
        .sessionTimeoutMs(REGISTRANT_SESSION_MILLIS)
        .connectionTimeoutMs(REGISTRANT_SESSION_MILLIS)
        .retryPolicy(new ExponentialBackoffRetry(50, 3))
        .build();
    client.start();
    if (!client.blockUntilConnected(20, java.util.concurrent.TimeUnit.SECONDS)) {
      throw new IllegalStateException("registrant could not connect to " + connectString);
    }
    ServiceDiscovery<InstancePayload> discovery = ServiceDiscoveryBuilder.builder(InstancePayload.class)
        .client(client)
        .basePath(BASE_PATH)
        .serializer(new JsonInstanceSerializer<>(InstancePayload.class, compatible))
        .build();
    discovery.start();
    Registrant r = new Registrant(client, discovery);
    closeables.add(r);
    return r;
  }

  Registrant registrant(String connectString) throws Exception {
    return registrant(connectString, true);
  }

  Registrant registrant() throws Exception {
    return registrant(connectString(), true);
  }

  static ServiceInstance<InstancePayload> instance(
      String service, String id, String host, int port, Map<String, String> metadata) throws Exception {
    return ServiceInstance.<InstancePayload>builder()
        .name(service)
        .id(id)
        .address(host)
        .port(port)
        .payload(new InstancePayload(metadata))
        .build();
  }

  @Override
  public void close() throws IOException {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        // a registrant cut off from the server may fail to close its session; the server goes next
      }
    }
    server.close();
  }

  /** A registering application: a client and its service discovery. */
  static final class Registrant implements AutoCloseable {
    final CuratorFramework client;
    final ServiceDiscovery<InstancePayload> discovery;

    Registrant(CuratorFramework client, ServiceDiscovery<InstancePayload> discovery) {
      this.client = client;
      this.discovery = discovery;
    }

    @Override
    public void close() throws java.io.IOException {
      discovery.close();
      client.close();
    }
  }

  /**
   * A payload shaped like Spring Cloud Zookeeper's {@code ZookeeperInstance}: a metadata map.
   * Public with a no-argument constructor and accessors, for Jackson.
   */
  public static final class InstancePayload {
    private Map<String, String> metadata = Map.of();

    public InstancePayload() {}

    InstancePayload(Map<String, String> metadata) {
      this.metadata = metadata;
    }

    public Map<String, String> getMetadata() {
      return metadata;
    }

    public void setMetadata(Map<String, String> metadata) {
      this.metadata = metadata;
    }
  }
}
