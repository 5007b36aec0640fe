package dev.lbkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.examples.StickySessionsExample.Backend;
import dev.lbkit.examples.StickySessionsExample.MemoryCookieJar;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.StickyPolicy;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StickySessionsExampleTest {

  private final List<Backend> backends = List.of(Backend.start("a"), Backend.start("b"), Backend.start("c"));
  private final List<Server> servers = backends.stream().map(Backend::server).collect(Collectors.toList());
  private final OkHttpClient base = new OkHttpClient.Builder().cookieJar(new MemoryCookieJar()).build();

  @AfterEach
  void stop() {
    backends.forEach(Backend::stop);
    base.connectionPool().evictAll();
  }

  @Test
  void balancerCookieSticksUntilItsServerIsDrainedThenSticksToAnother() throws IOException {
    List<String> names = StickySessionsExample.balancerCookie(base, servers).stream()
        .map(StickySessionsExample::name).collect(Collectors.toList());
    assertEquals(1, new HashSet<>(names.subList(0, 5)).size(), names.toString());
    assertEquals(1, new HashSet<>(names.subList(5, 10)).size(), names.toString());
    assertNotEquals(names.get(0), names.get(5), names.toString());
  }

  @Test
  void headerHashSendsEachUserToOneBackend() throws IOException {
    Map<String, Set<String>> byUser = new HashMap<>();
    for (String answer : StickySessionsExample.hashHeader(base, servers)) {
      String user = answer.substring(0, answer.indexOf('='));
      byUser.computeIfAbsent(user, u -> new HashSet<>()).add(answer);
    }
    assertEquals(Set.of("alice", "bob", "carol", "dave", "erin", "frank"), byUser.keySet());
    byUser.forEach((user, answers) -> assertEquals(1, answers.size(), user + " " + answers));
  }

  @Test
  void applicationCookieKeepsTheSessionOnTheBackendThatOpenedIt() throws IOException {
    List<String> answers = StickySessionsExample.applicationCookie(base, servers);
    assertEquals(5, answers.size());
    assertEquals(1, new HashSet<>(answers).size(), answers.toString());
  }

  @Test
  void mainPrintsEveryForm() throws IOException {
    String out = RawTcpExampleTest.captureOut(() -> StickySessionsExample.main(new String[0]));
    assertTrue(out.matches("(?s)balancer cookie, 5 calls, drain, 5 calls: \\[(\\w)(, \\1){4}, (\\w)(, \\3){4}\\]\n"
        + "(header hash, round \\d: (\\w+->\\w ?){6}\n){3}"
        + "application cookie, login then 4 calls: \\[(\\w)(, \\7){4}\\]\n"), out);
  }

  @Test
  void aForgedCookieGetsANormalPickInsideTheCluster() throws IOException {
    try (LoadBalancer cart = LoadBalancer.builder("cart").servers(servers).build()) {
      OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
          .cluster("cart", cart)
          .sticky("cart", StickyPolicy.balancerCookie("lb-cart"))
          .build());
      Set<Integer> ports = servers.stream().map(Server::port).collect(Collectors.toSet());
      for (int i = 0; i < 6; i++) {
        Request forged = new Request.Builder().url("http://cart/items")
            .header("Cookie", "lb-cart=127.0.0.1:1").build();
        try (Response response = client.newCall(forged).execute()) {
          String body = response.body().string();
          assertTrue(ports.contains(Integer.parseInt(body.substring(body.indexOf('@') + 1))), body);
        }
      }
    }
  }
}
