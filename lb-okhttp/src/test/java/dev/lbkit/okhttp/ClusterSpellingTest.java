package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Picker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/**
 * A cluster is spelled as it was configured, everywhere lbkit names it: the config, counters,
 * events, logs and exceptions. Requests and lookups match it in any case, as DNS names do.
 */
class ClusterSpellingTest {

  @Test
  void aClusterIsSpelledAsConfiguredInTheConfigCountersEventsAndExceptions() {
    LoadBalancer lb = LoadBalancer.builder("User-Service").servers(List.of()).build();
    List<String> routed = new CopyOnWriteArrayList<>();
    LbConfig config = LbConfig.builder().cluster("User-Service", lb).listener(new LbEventListener() {
      @Override
      public void routeDecided(Call call, Request request, String cluster, String reason) {
        routed.add(cluster);
      }
    }).build();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), config);

    LbException e = assertThrows(LbException.class, () -> BalancingTest.get(client, "http://user-service/"));

    assertEquals("User-Service", e.cluster());
    assertEquals("User-Service: no servers", e.getMessage());
    assertEquals(List.of("User-Service"), routed);
    assertEquals(List.of("User-Service"), List.copyOf(config.clusters().keySet()));
    assertEquals(List.of("User-Service"), List.copyOf(LbOkHttp.counters(client).keySet()));
    assertEquals(1, LbOkHttp.counters(client).get("User-Service").noServer());
    assertEquals("User-Service", LbOkHttp.counters(client).get("user-service").cluster(), "looked up in any case");
    Picker picker = config.clusters().get("USER-SERVICE");
    assertSame(lb, picker);
  }
}
