package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Server;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RoutingTest {
  /** Chi-square critical value for 1 degree of freedom at significance 1e-9. */
  private static final double CHI2_1DF_1E9 = 37.3;

  private Backends backends;
  private OkHttpClient client;

  @BeforeEach
  void start() throws IOException {
    backends = Backends.start(4);
  }

  @AfterEach
  void close() throws IOException {
    backends.close();
  }

  private void wrapWithRules(RouteRule... rules) {
    LbConfig.Builder b = LbConfig.builder()
        .cluster("shop", Backends.roundRobin("shop", List.of(backends.server(0))))
        .cluster("shop-canary", Backends.roundRobin("shop-canary", List.of(backends.server(1))))
        .cluster("search", Backends.roundRobin("search", List.of(backends.server(2))))
        .cluster("internal", Backends.roundRobin("internal", List.of(backends.server(3))));
    for (RouteRule r : rules) {
      b.rule(r);
    }
    client = LbOkHttp.wrap(new OkHttpClient.Builder().dns(new Backends.FakeDns("outside")).build(), b.build());
  }

  private String body(Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      return r.body().string();
    }
  }

  private String body(String url) throws IOException {
    return body(new Request.Builder().url(url).build());
  }

  @Test
  void eachConditionRoutesAndTheFirstMatchWins() throws IOException {
    wrapWithRules(
        RouteRule.builder().host("shop").pathPrefix("/search/").toCluster("search").build(),
        RouteRule.builder().host("shop").header("X-Canary", "1").toCluster("shop-canary").build(),
        RouteRule.builder().host("shop").queryParameter("canary", "yes").toCluster("shop-canary").build(),
        RouteRule.builder().host("shop").cookie("beta", "on").toCluster("shop-canary").build(),
        RouteRule.builder().host("shop").method("DELETE").toCluster("search").build(),
        RouteRule.builder().host("www").toCluster("shop").build());
    assertEquals("0", body("http://shop/cart"));
    assertEquals("2", body("http://shop/search/shoes"));
    // First match wins: the path rule precedes the header rule.
    assertEquals("2", body(new Request.Builder().url("http://shop/search/x").header("X-Canary", "1").build()));
    assertEquals("1", body(new Request.Builder().url("http://shop/cart").header("X-Canary", "1").build()));
    assertEquals("0", body(new Request.Builder().url("http://shop/cart").header("X-Canary", "2").build()));
    assertEquals("1", body("http://shop/cart?canary=yes"));
    assertEquals("1", body(new Request.Builder().url("http://shop/cart").header("Cookie", "a=b; beta=on").build()));
    assertEquals("2", body(new Request.Builder().url("http://shop/cart").delete(RequestBody.create(new byte[0])).build()));
    assertEquals("0", body("http://www/"));
  }

  @Test
  void requestInputsCannotSteerAnOutsideHostIntoACluster() throws IOException {
    wrapWithRules(RouteRule.builder().header("X-Route", "internal").toCluster("internal").build());
    // To a logical host the header rule applies ...
    assertEquals("3", body(new Request.Builder().url("http://shop/").header("X-Route", "internal").build()));
    // ... but a request for an outside host stays on that host, whatever it carries.
    int port = backends.servers.get(0).getPort();
    assertEquals("0", body(new Request.Builder().url("http://outside:" + port + "/").header("X-Route", "internal").build()));
    assertEquals(0, LbOkHttp.counters(client).get("internal").requests() - 1);
  }

  @Test
  void weightedSplitSendsTrafficToBothClusters() throws IOException {
    wrapWithRules(RouteRule.builder().host("shop").split("shop", 3).split("shop-canary", 1).build());
    int[] counts = new int[2];
    for (int i = 0; i < 100; i++) {
      counts[Integer.parseInt(body("http://shop/"))]++;
    }
    assertEquals(100, counts[0] + counts[1]);
    long[] observed = {counts[0], counts[1]};
    assertTrue(Backends.chiSquare(observed, new double[] {0.75, 0.25}) < CHI2_1DF_1E9, counts[0] + "/" + counts[1]);
  }

  @Test
  void ruleSplitMatchesItsWeightsOverManyDraws() {
    RouteRule rule = RouteRule.builder().split("stable", 95).split("canary", 5).build();
    RandomSource random = RandomSource.seeded(42);
    long[] observed = new long[2];
    for (int i = 0; i < 100_000; i++) {
      observed[rule.choose(random).equals("stable") ? 0 : 1]++;
    }
    assertTrue(Backends.chiSquare(observed, new double[] {0.95, 0.05}) < CHI2_1DF_1E9, observed[0] + "/" + observed[1]);
    assertEquals(Map.of("stable", 95, "canary", 5), rule.targets());
  }

  @Test
  void rulesAreValidatedWithExactMessages() {
    assertEquals("targets must not be empty, was {}",
        assertThrows(IllegalArgumentException.class, () -> RouteRule.builder().host("a").build()).getMessage());
    assertEquals("weight of b must be in [1, 1000000], was 0",
        assertThrows(IllegalArgumentException.class, () -> RouteRule.builder().split("b", 0).build()).getMessage());
    assertEquals("pathPrefix must start with '/', was 'api'",
        assertThrows(IllegalArgumentException.class, () -> RouteRule.builder().pathPrefix("api").toCluster("b").build()).getMessage());
    assertEquals("cluster b is a target twice",
        assertThrows(IllegalArgumentException.class, () -> RouteRule.builder().split("b", 1).split("b", 2).build()).getMessage());
    RouteRule rule = RouteRule.builder().name("to-nowhere").toCluster("nowhere").build();
    assertEquals("rule to-nowhere targets unknown cluster nowhere, known: [shop]",
        assertThrows(IllegalArgumentException.class, () -> LbConfig.builder()
            .cluster("shop", Backends.roundRobin("shop", List.of(backends.server(0)))).rule(rule).build()).getMessage());
  }
}
