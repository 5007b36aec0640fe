package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import mockwebserver3.MockResponse;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StickyTest {
  private Backends backends;

  @BeforeEach
  void start() throws IOException {
    backends = Backends.start(3);
  }

  @AfterEach
  void close() throws IOException {
    backends.close();
  }

  private static String[] call(OkHttpClient client, Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      return new String[] {r.body().string(), r.header("Set-Cookie")};
    }
  }

  @Test
  void balancerCookieRoundTripKeepsTheSameServer() throws IOException {
    FakeCookieJar jar = new FakeCookieJar();
    LoadBalancer lb = Backends.roundRobin("user-service", backends.all());
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient.Builder().cookieJar(jar).build(), LbConfig.builder()
        .cluster("user-service", lb).sticky("user-service", StickyPolicy.balancerCookie("lb")).build());
    Request req = new Request.Builder().url("http://user-service/").build();
    String[] first = call(client, req);
    assertNotNull(first[1]);
    assertTrue(first[1].startsWith("lb=") && first[1].endsWith("; Path=/; HttpOnly"), first[1]);
    String token = first[1].substring(3, first[1].indexOf(';'));
    // Opaque: no address or port in it.
    assertFalse(token.contains("127") || token.contains(String.valueOf(backends.servers.get(0).getPort())), token);
    assertEquals(List.of("user-service:lb"), jar.savedFor);
    for (int i = 0; i < 10; i++) {
      String[] next = call(client, req);
      assertEquals(first[0], next[0]);
      assertNull(next[1], "no new cookie while the server stays");
    }
    // The server leaves: re-picked elsewhere, and a new cookie is issued.
    int gone = Integer.parseInt(first[0]);
    lb.updateServers(backends.all().stream().filter(s -> !s.equals(backends.server(gone))).collect(java.util.stream.Collectors.toList()));
    String[] moved = call(client, req);
    assertNotEquals(first[0], moved[0]);
    assertNotNull(moved[1]);
  }

  @Test
  void balancerCookieOfAnotherClientWithTheSameSecretIsHonouredAtOnce() throws IOException {
    byte[] secret = "a secret of 32 bytes, shared....".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    OkHttpClient issuer = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().stickySecret(secret)
        .cluster("user-service", Backends.roundRobin("user-service", backends.all()))
        .sticky("user-service", StickyPolicy.balancerCookie("lb")).build());
    OkHttpClient other = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().stickySecret(secret)
        .cluster("user-service", Backends.roundRobin("user-service", backends.all()))
        .sticky("user-service", StickyPolicy.balancerCookie("lb")).build());
    String[] issued = call(issuer, new Request.Builder().url("http://user-service/").build());
    String cookie = issued[1].substring(0, issued[1].indexOf(';'));
    // The other client has never talked to that server: it learns the token from the cluster's list.
    for (int i = 0; i < 4; i++) {
      String[] next = call(other, new Request.Builder().url("http://user-service/").header("Cookie", cookie).build());
      assertEquals(issued[0], next[0]);
      assertNull(next[1], "the other client's cookie stands");
    }
  }

  @Test
  void forgedBalancerCookieGetsANormalPick() throws IOException {
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .cluster("user-service", Backends.roundRobin("user-service", backends.all()))
        .sticky("user-service", StickyPolicy.balancerCookie("lb")).build());
    Set<String> seen = new HashSet<>();
    for (String forged : List.of("127.0.0.1:1", "evil.example:80", "AAAAAAAAAAAAAAAA", "", "x", "../../")) {
      for (int i = 0; i < 2; i++) {
        String[] r = call(client, new Request.Builder().url("http://user-service/").header("Cookie", "lb=" + forged).build());
        seen.add(r[0]);
        assertNotNull(r[1], "a real cookie replaces the forged one");
      }
    }
    // Forged values spread like normal picks, always inside the cluster.
    assertEquals(Set.of("0", "1", "2"), seen);
    assertEquals(12, backends.dispatcher(0).count.get() + backends.dispatcher(1).count.get() + backends.dispatcher(2).count.get());
  }

  @Test
  void applicationCookieIsLearnedAndFollowed() throws IOException {
    backends.dispatcher(1).script.add(new MockResponse.Builder().addHeader("Set-Cookie", "JSESSIONID=s1; Path=/").body("1").build());
    LbConfig config = LbConfig.builder().cacheExecutor(Runnable::run)
        .cluster("user-service", Backends.roundRobin("user-service", backends.all()))
        .sticky("user-service", StickyPolicy.applicationCookie("JSESSIONID")).build();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), config);
    // Call until backend 1 has issued the session.
    for (int i = 0; i < 3 && backends.dispatcher(1).count.get() == 0; i++) {
      call(client, new Request.Builder().url("http://user-service/").build());
    }
    for (int i = 0; i < 6; i++) {
      assertEquals("1", call(client, new Request.Builder().url("http://user-service/").header("Cookie", "JSESSIONID=s1").build())[0]);
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      seen.add(call(client, new Request.Builder().url("http://user-service/").header("Cookie", "JSESSIONID=unknown").build())[0]);
    }
    assertEquals(Set.of("0", "1", "2"), seen);
  }

  @Test
  void learnedSessionsStayWithinTheCacheBoundAndExpire() throws IOException {
    FakeTicker ticker = new FakeTicker();
    for (int i = 0; i < 3; i++) {
      backends.dispatcher(i).always = new MockResponse.Builder().addHeader("Set-Cookie", "JSESSIONID=s" + i).body(String.valueOf(i)).build();
    }
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().cacheExecutor(Runnable::run).ticker(ticker)
        .cluster("user-service", Backends.roundRobin("user-service", backends.all()))
        .sticky("user-service", StickyPolicy.applicationCookie("JSESSIONID", 2, Duration.ofMinutes(5))).build());
    for (int i = 0; i < 3; i++) {
      call(client, new Request.Builder().url("http://user-service/").build());
    }
    var sessions = LbOkHttp.interceptor(client).sticky("user-service").sessions();
    sessions.cleanUp();
    assertEquals(2, sessions.estimatedSize());
    ticker.advance(Duration.ofMinutes(6));
    sessions.cleanUp();
    assertEquals(0, sessions.estimatedSize());
  }

  @Test
  void hashHeaderKeepsAKeyOnOneServer() throws IOException {
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .cluster("user-service", Backends.balancer("user-service", Algorithms.ringHash().build(), backends.all()))
        .sticky("user-service", StickyPolicy.hashHeader("X-User")).build());
    Set<String> users = new HashSet<>();
    // 40 keys: with five, all on one of the (randomly ported) servers happened about once in 80 runs.
    for (int u = 0; u < 40; u++) {
      String user = "user-" + u;
      String first = call(client, new Request.Builder().url("http://user-service/").header("X-User", user).build())[0];
      for (int i = 0; i < 2; i++) {
        assertEquals(first, call(client, new Request.Builder().url("http://user-service/").header("X-User", user).build())[0]);
      }
      users.add(first);
    }
    assertTrue(users.size() >= 2, "keys spread over servers: " + users);
  }

  @Test
  void cookieStickinessNeedsALoadBalancer() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> LbConfig.builder().cluster("user-service", ctx -> { throw new AssertionError(); })
            .sticky("user-service", StickyPolicy.balancerCookie("lb")).build());
    assertTrue(e.getMessage().startsWith("sticky policy StickyPolicy{BALANCER_COOKIE lb} of user-service needs a LoadBalancer, was "),
        e.getMessage());
  }

  @Test
  void clientKeyFromARequestTagIsHashed() throws IOException {
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .cluster("user-service", Backends.balancer("user-service", Algorithms.maglev().build(), backends.all()))
        .sticky("user-service", StickyPolicy.hashKey(r -> r.tag(String.class))).build());
    Set<String> servers = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      servers.add(call(client, new Request.Builder().url("http://user-service/").tag(String.class, "tenant-7").build())[0]);
    }
    assertEquals(1, servers.size(), "one key, one server: " + servers);
  }
}
