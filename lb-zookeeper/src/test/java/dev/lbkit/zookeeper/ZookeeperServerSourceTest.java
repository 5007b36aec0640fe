package dev.lbkit.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.testing.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source against a real ZooKeeper server, with instances registered by curator-x-discovery. */
class ZookeeperServerSourceTest {

  /** Bound of every wait: generous, for a loaded two-core machine; passing runs take far less. */
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private ZkFixture zk;
  private ServerSource source;

  @BeforeEach
  void startZooKeeper() throws Exception {
    zk = new ZkFixture(dir);
  }

  @AfterEach
  void stopEverything() throws Exception {
    if (source != null) {
      source.close();
    }
    zk.close();
  }

  private RecordingListener start(ZookeeperSourceBuilder builder) {
    source = builder.build();
    RecordingListener listener = new RecordingListener();
    source.start(listener);
    return listener;
  }

  private ZookeeperSourceBuilder orders() {
    return ZookeeperSources.discovery("orders")
        .connectString(zk.connectString())
        .basePath(ZkFixture.BASE_PATH)
        .sessionTimeout(Duration.ofSeconds(2))
        .connectionTimeout(Duration.ofSeconds(2));
  }

  @Test
  void pushesRegisteredInstancesAndDropsDeregisteredOnes() throws Exception {
    ZkFixture.Registrant app = zk.registrant();
    ServiceInstance<ZkFixture.InstancePayload> a = ZkFixture.instance("orders", "a", "10.0.0.1", 8080, Map.of());
    ServiceInstance<ZkFixture.InstancePayload> b = ZkFixture.instance("orders", "b", "10.0.0.2", 8080, Map.of());
    app.discovery.registerService(a);
    app.discovery.registerService(b);
    // Another service under the same base path is not ours.
    app.discovery.registerService(ZkFixture.instance("users", "u", "10.0.9.9", 8080, Map.of()));

    RecordingListener listener = start(orders());
    listener.awaitIds(List.of("10.0.0.1:8080", "10.0.0.2:8080"), WAIT);
    assertEquals(1, listener.lists().size(), "the initial read is pushed once, whole: " + listener.lists());

    app.discovery.registerService(ZkFixture.instance("orders", "c", "10.0.0.3", 8080, Map.of()));
    listener.awaitIds(List.of("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080"), WAIT);

    app.discovery.unregisterService(a);
    listener.awaitIds(List.of("10.0.0.2:8080", "10.0.0.3:8080"), WAIT);
    assertEquals(List.of(), listener.errors());
  }

  @Test
  void payloadChangesUpdateWeightZoneAndMetadata() throws Exception {
    ZkFixture.Registrant app = zk.registrant();
    app.discovery.registerService(ZkFixture.instance("orders", "a", "10.0.0.1", 8080, Map.of()));
    RecordingListener listener = start(orders());
    listener.awaitIds(List.of("10.0.0.1:8080"), WAIT);
    assertEquals(Server.of("10.0.0.1", 8080), listener.last().get(0));

    app.discovery.updateService(ZkFixture.instance(
        "orders", "a", "10.0.0.1", 8080, Map.of("weight", "5", "zone", "us-east-1a", "version", "2.4.1")));
    Server updated = listener.awaitList(l -> l.get(0).weight() == 5, WAIT, "weight 5").get(0);
    assertEquals(Optional.of("us-east-1a"), updated.zone());
    assertEquals(Map.of("weight", "5", "zone", "us-east-1a", "version", "2.4.1"), updated.metadata());

    app.discovery.updateService(ZkFixture.instance("orders", "a", "10.0.0.1", 8080, Map.of("zone", "us-east-1b")));
    Server moved = listener.awaitList(l -> l.get(0).zone().equals(Optional.of("us-east-1b")), WAIT, "zone b").get(0);
    assertEquals(Server.DEFAULT_WEIGHT, moved.weight());
    assertEquals(Map.of("zone", "us-east-1b"), moved.metadata());
  }

  @Test
  void ephemeralInstancesVanishWhenTheirRegistrantsSessionExpires() throws Exception {
    try (CuttableProxy link = new CuttableProxy(zk.server.getPort())) {
      ZkFixture.Registrant doomed = zk.registrant(link.connectString());
      doomed.discovery.registerService(ZkFixture.instance("orders", "x", "10.0.0.1", 8080, Map.of()));
      ZkFixture.Registrant survivor = zk.registrant();
      survivor.discovery.registerService(ZkFixture.instance("orders", "y", "10.0.0.2", 8080, Map.of()));
      RecordingListener listener = start(orders());
      listener.awaitIds(List.of("10.0.0.1:8080", "10.0.0.2:8080"), WAIT);

      // The registrant's host drops off the network: it never closes its session, the server
      // expires it after its timeout, and deletes its ephemeral instance.
      long cutAt = System.nanoTime();
      link.cut();
      listener.awaitIds(List.of("10.0.0.2:8080"), WAIT);
      long tookMillis = (System.nanoTime() - cutAt) / 1_000_000;
      assertTrue(tookMillis >= ZkFixture.REGISTRANT_SESSION_MILLIS / 2,
          "the instance left after " + tookMillis + " ms, before its session could have expired");
      assertEquals(List.of(), listener.errors());
    }
  }

  @Test
  void keepsTheLastListWhileZooKeeperIsDownAndResumesWhenItIsBack() throws Exception {
    ZkFixture.Registrant app = zk.registrant();
    app.discovery.registerService(ZkFixture.instance("orders", "a", "10.0.0.1", 8080, Map.of()));
    app.discovery.registerService(ZkFixture.instance("orders", "b", "10.0.0.2", 8080, Map.of()));
    RecordingListener listener = start(orders());
    List<Server> good = listener.awaitIds(List.of("10.0.0.1:8080", "10.0.0.2:8080"), WAIT);
    int pushes = listener.lists().size();

    zk.server.stop();
    Throwable suspended = listener.awaitError("SUSPENDED", WAIT);
    assertTrue(suspended.getMessage().contains("keeping the last list of 2 servers"), suspended.getMessage());
    // Past the 2 s session timeout, Curator declares the session lost; still no new list.
    Throwable lost = listener.awaitError("LOST", WAIT);
    assertTrue(lost.getMessage().contains("keeping the last list of 2 servers"), lost.getMessage());
    assertEquals(pushes, listener.lists().size(), "nothing pushed while ZooKeeper was down: " + listener.lists());
    assertEquals(good, listener.last());

    // Same port, same data: the registrant re-registers, and the watch works again.
    zk.server.restart();
    zk.registrant().discovery.registerService(ZkFixture.instance("orders", "c", "10.0.0.3", 8080, Map.of()));
    listener.awaitIds(List.of("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080"), WAIT);
  }

  @Test
  void invalidInstancesAreLeftOutAndDisabledOnesDrain() throws Exception {
    ZkFixture.Registrant app = zk.registrant();
    app.discovery.registerService(ZkFixture.instance("orders", "a", "10.0.0.1", 8080, Map.of()));
    zk.registrant(zk.connectString(), false).discovery.registerService(ServiceInstance.<ZkFixture.InstancePayload>builder()
        .name("orders").id("off").address("10.0.0.5").port(8080).enabled(false).build());
    app.client.create().forPath(ZkFixture.BASE_PATH + "/orders/junk", "{not json".getBytes(StandardCharsets.UTF_8));
    app.discovery.registerService(
        ZkFixture.instance("orders", "heavy", "10.0.0.6", 8080, Map.of("weight", "2000000")));
    RecordingListener listener = start(orders());
    listener.awaitIds(List.of("10.0.0.1:8080", "10.0.0.5:8080"), WAIT);
    assertEquals(Set.of("10.0.0.5:8080"), listener.lastDraining(), "the disabled instance drains");

    // Fixing the bad weight brings the instance in.
    app.discovery.updateService(ZkFixture.instance("orders", "heavy", "10.0.0.6", 8080, Map.of("weight", "20")));
    listener.awaitIds(List.of("10.0.0.1:8080", "10.0.0.5:8080", "10.0.0.6:8080"), WAIT);
    assertEquals(Set.of("10.0.0.5:8080"), listener.lastDraining());
  }

  @Test
  void anEmptiedServiceKeepsTheLastListUnlessTold() throws Exception {
    ZkFixture.Registrant app = zk.registrant();
    ServiceInstance<ZkFixture.InstancePayload> a = ZkFixture.instance("orders", "a", "10.0.0.1", 8080, Map.of());
    app.discovery.registerService(a);
    RecordingListener keeping = start(orders());
    ServerSource allowing = orders().keepLastOnEmpty(false).build();
    RecordingListener emptying = new RecordingListener();
    allowing.start(emptying);
    try {
      keeping.awaitIds(List.of("10.0.0.1:8080"), WAIT);
      emptying.awaitIds(List.of("10.0.0.1:8080"), WAIT);

      app.discovery.unregisterService(a);
      emptying.awaitIds(List.of(), WAIT);
      // Both sources saw the same deletion; the one that keeps its list pushed nothing for it.
      app.discovery.registerService(ZkFixture.instance("orders", "b", "10.0.0.2", 8080, Map.of()));
      keeping.awaitIds(List.of("10.0.0.2:8080"), WAIT);
      assertEquals(2, keeping.lists().size(), "pushed: " + keeping.lists());
    } finally {
      allowing.close();
    }
  }

  @Test
  void aClientGivenToTheBuilderIsUsedAndLeftOpen() throws Exception {
    ZkFixture.Registrant app = zk.registrant();
    app.discovery.registerService(ZkFixture.instance("orders", "a", "10.0.0.1", 8080, Map.of()));
    CuratorFramework shared = app.client;
    RecordingListener listener = start(ZookeeperSources.discovery("orders").client(shared));
    listener.awaitIds(List.of("10.0.0.1:8080"), WAIT);
    source.close();
    int pushedBeforeClose = listener.lists().size();
    assertEquals(CuratorFrameworkState.STARTED, shared.getState());

    // The client still works: another source on it sees a new registration.
    app.discovery.registerService(ZkFixture.instance("orders", "b", "10.0.0.2", 8080, Map.of()));
    source = ZookeeperSources.discovery("orders").client(shared).build();
    RecordingListener second = new RecordingListener();
    source.start(second);
    second.awaitIds(List.of("10.0.0.1:8080", "10.0.0.2:8080"), WAIT);
    assertEquals(pushedBeforeClose, listener.lists().size(), "the closed source pushed after close: " + listener.lists());
  }
}
