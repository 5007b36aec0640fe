package dev.lbkit.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.ServerSource;
import dev.lbkit.api.ServerView;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's etcd example, run against a real etcd with two registered servers. */
class EtcdReadmeExampleTest {

  @TempDir Path dir;

  @Test
  void theReadmeExampleBalancesOverTheRegisteredServers() throws Exception {
    try (Etcd etcd = Etcd.start(dir); Client admin = Client.builder().endpoints(etcd.endpoint()).build()) {
      for (int i = 1; i <= 2; i++) {
        admin.getKVClient().put(ByteSequence.from("/services/orders/" + i, StandardCharsets.UTF_8),
            ByteSequence.from("{\"host\":\"10.0.0." + i + "\",\"port\":8080,\"weight\":" + i + "}",
                StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
      }
      String endpoint = etcd.endpoint();
      Set<String> picked = new TreeSet<>();

      // README:etcd
      ServerSource registry = EtcdSources.prefix("/services/orders/")  // one JSON value per server
          .endpoints(endpoint)                                        // "http://etcd-1:2379", ...
          .build();
      try (LoadBalancer orders = LoadBalancer.builder("orders").source(registry).build()) {
        awaitServers(orders, 2);                                      // the first list comes once read
        for (int i = 0; i < 6; i++) {
          Selection pick = orders.pick();
          picked.add(pick.server().id() + " weight " + pick.server().weight());
          pick.complete(1_000_000, Outcome.SUCCESS);
        }
      }                                                               // closes the source and its client
      // README:end

      assertEquals(Set.of("10.0.0.1:8080 weight 1", "10.0.0.2:8080 weight 2"), picked);
    }
  }

  /** Waits, at most 30 s, until {@code lb} lists {@code count} servers. */
  private static void awaitServers(LoadBalancer lb, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (lb.servers().size() != count) {
      assertTrue(System.nanoTime() < deadline, "servers: "
          + lb.servers().stream().map(ServerView::server).collect(Collectors.toList()));
      Thread.sleep(10);
    }
  }
}
