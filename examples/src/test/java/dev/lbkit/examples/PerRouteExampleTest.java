package dev.lbkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.examples.StickySessionsExample.Backend;
import dev.lbkit.examples.StickySessionsExample.MemoryCookieJar;
import dev.lbkit.okhttp.CallPolicy;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The README's policies per cluster and per route, and stickiness on one path. */
class PerRouteExampleTest {

  private final List<Backend> backends = List.of(Backend.start("a"), Backend.start("b"), Backend.start("c"));
  private final List<Server> servers = backends.stream().map(Backend::server).collect(Collectors.toList());

  @AfterEach
  void stop() {
    backends.forEach(Backend::stop);
  }

  private static Set<String> answeredBy(OkHttpClient client, String url, int calls) throws IOException {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < calls; i++) {
      try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
        names.add(StickySessionsExample.name(r.body().string()));
      }
    }
    return names;
  }

  @Test
  void onlyTheCartPathSticks() throws IOException {
    try (LoadBalancer shop = LoadBalancer.builder("shop").servers(servers).build()) {
      OkHttpClient client = LbOkHttp.wrap(new OkHttpClient.Builder().cookieJar(new MemoryCookieJar()).build(),
          PerRouteExample.stickyCart(shop));
      assertEquals(1, answeredBy(client, "http://shop/cart/items", 6).size(), "/cart/ sticks to one server");
      assertEquals(3, answeredBy(client, "http://shop/products", 6).size(), "the rest of shop is balanced");
    }
  }

  @Test
  void policiesApplyPerClusterAndPerRule() {
    try (LoadBalancer shop = LoadBalancer.builder("shop").servers(servers).build();
        LoadBalancer reports = LoadBalancer.builder("reports").servers(servers).build()) {
      LbConfig config = PerRouteExample.policies(shop, reports);
      assertEquals(RetryPolicy.DEFAULT, config.retryPolicy());
      assertEquals(Duration.ofMinutes(2), config.rules().get(0).callPolicy().callTimeout());
      assertEquals(CallPolicy.INHERIT.retryPolicy(), config.rules().get(0).callPolicy().retryPolicy(),
          "the rule inherits the cluster's retry policy");
    }
  }
}
