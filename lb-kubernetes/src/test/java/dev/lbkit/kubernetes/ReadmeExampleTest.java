package dev.lbkit.kubernetes;

import static dev.lbkit.kubernetes.Slices.ready;
import static dev.lbkit.kubernetes.Slices.users;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.algorithms.ZoneAwareRouting;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.ServerSource;
import io.fabric8.kubernetes.client.Config;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's Kubernetes example, run against the mock API server. */
class ReadmeExampleTest {

  @Test
  void theReadmeExampleBalancesOverTheLocalZonesReadyPods() throws InterruptedException {
    try (MockApiServer api = new MockApiServer()) {
      api.apply(users("users-abc12", ready("10.0.0.1", "eu-west-1a"), ready("10.0.0.2", "eu-west-1b"),
          ready("10.0.0.3", "eu-west-1a")));
      Config config = api.config();
      TreeSet<String> picked = new TreeSet<>();

      // README:kubernetes
      ServerSource users = KubernetesSources.endpointSlices("prod", "users")
          .portName("http")                          // the Service port named "http"
          .config(config)                            // default: in-cluster, else ~/.kube/config
          .build();
      try (LoadBalancer lb = LoadBalancer.builder("users")
          .source(users)                             // the balancer closes the source
          .zoneRouting(ZoneAwareRouting.builder().localZone("eu-west-1a").build())
          .build()) {
        awaitServers(lb, 3);
        for (int i = 0; i < 10; i++) {
          Selection call = lb.pick();                // ready pods of eu-west-1a; terminating pods drain
          picked.add(call.server().id());
          call.complete(1_000_000, Outcome.SUCCESS);
        }
      }
      // README:end

      assertEquals(new TreeSet<>(List.of("10.0.0.1:8080", "10.0.0.3:8080")), picked);
    }
  }

  private static void awaitServers(LoadBalancer lb, int count) throws InterruptedException {
    long deadline = System.nanoTime() + RecordingListener.WAIT_NANOS;
    while (lb.servers().size() != count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + count + " servers, have " + lb.servers());
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }
}
