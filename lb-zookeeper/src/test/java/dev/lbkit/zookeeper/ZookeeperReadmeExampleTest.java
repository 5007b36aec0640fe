package dev.lbkit.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.ServerSource;
import dev.lbkit.api.ServerView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's ZooKeeper example, run against a real ZooKeeper with two registered instances. */
class ZookeeperReadmeExampleTest {

  @TempDir Path dir;

  @Test
  void theReadmeExampleBalancesOverTheRegisteredInstances() throws Exception {
    try (ZkFixture zk = new ZkFixture(dir)) {
      ZkFixture.Registrant app = zk.registrant();
      app.discovery.registerService(ZkFixture.instance("orders", "1", "10.0.0.1", 8080, Map.of("zone", "us-east-1a")));
      app.discovery.registerService(ZkFixture.instance("orders", "2", "10.0.0.2", 8080, Map.of("zone", "us-east-1b")));
      String connectString = zk.connectString();
      Set<String> picked = new TreeSet<>();

      // README:zookeeper
      ServerSource registry = ZookeeperSources.discovery("orders")   // instances under /services/orders
          .connectString(connectString)                             // "zk1:2181,zk2:2181,zk3:2181"
          .build();
      try (LoadBalancer orders = LoadBalancer.builder("orders").source(registry).build()) {
        awaitServers(orders, 2);                                    // the first list comes once connected
        for (int i = 0; i < 4; i++) {
          Selection pick = orders.pick();
          picked.add(pick.server().id() + " in " + pick.server().zone().orElse("?"));
          pick.complete(1_000_000, Outcome.SUCCESS);
        }
      }                                                             // closes the source and its client
      // README:end

      assertEquals(Set.of("10.0.0.1:8080 in us-east-1a", "10.0.0.2:8080 in us-east-1b"), picked);
    }
  }

  /** Waits, at most 20 s, until {@code lb} lists {@code count} servers. */
  private static void awaitServers(LoadBalancer lb, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (lb.servers().size() != count) {
      assertTrue(System.nanoTime() < deadline, "servers: "
          + lb.servers().stream().map(ServerView::server).collect(Collectors.toList()));
      Thread.sleep(10);
    }
  }
}
