package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Cookie;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RedirectAndCookieTest {
  private Backends backends;
  private FakeCookieJar jar;
  private OkHttpClient client;

  @BeforeEach
  void start() throws IOException {
    // Backends 0 and 1 form the cluster; backend 2 is an outside host.
    backends = Backends.start(3);
    jar = new FakeCookieJar();
    client = LbOkHttp.wrap(new OkHttpClient.Builder().cookieJar(jar).dns(new Backends.FakeDns("outside")).build(),
        LbConfig.builder().cluster("user-service", Backends.roundRobin("user-service", List.of(backends.server(0), backends.server(1))))
            .build());
  }

  @AfterEach
  void close() throws IOException {
    backends.close();
  }

  private String outside(String path) {
    return "http://outside:" + backends.servers.get(2).getPort() + path;
  }

  private void onCluster(String path, MockResponse response) {
    backends.dispatcher(0).paths.put(path, response);
    backends.dispatcher(1).paths.put(path, response);
  }

  private static MockResponse redirect(String location) {
    return new MockResponse.Builder().code(302).addHeader("Location", location).build();
  }

  private Response execute(Request request) throws IOException {
    return client.newCall(request).execute();
  }

  private RecordedRequest lastOnCluster(String path) {
    for (int i = 0; i < 2; i++) {
      for (RecordedRequest r : backends.dispatcher(i).recorded) {
        if (r.getUrl().encodedPath().equals(path)) {
          return r;
        }
      }
    }
    return null;
  }

  @Test
  void relativeRedirectIsANewPickWithTheLogicalHost() throws IOException {
    onCluster("/start", redirect("/next"));
    try (Response r = execute(new Request.Builder().url("http://user-service/start").header("Authorization", "Bearer t").build())) {
      assertEquals(200, r.code());
      assertEquals("http://user-service/next", r.request().url().toString());
    }
    ClusterCounters c = LbOkHttp.counters(client).get("user-service");
    assertEquals(2, c.requests());
    assertEquals(2, c.attempts());
    RecordedRequest next = lastOnCluster("/next");
    assertEquals("user-service", next.getHeaders().get("Host"));
    assertEquals("Bearer t", next.getHeaders().get("Authorization"), "same host keeps credentials");
  }

  @Test
  void followedRedirectsStayLinkedThroughPriorResponse() throws IOException {
    onCluster("/a", redirect("/b"));
    onCluster("/b", new MockResponse.Builder().code(301).addHeader("Location", "/c").body("moved").build());
    try (Response r = execute(new Request.Builder().url("http://user-service/a").build())) {
      assertEquals(200, r.code());
      assertEquals("http://user-service/c", r.request().url().toString());
      Response b = r.priorResponse();
      assertEquals(301, b.code());
      assertEquals("http://user-service/b", b.request().url().toString());
      assertEquals("/c", b.header("Location"));
      assertEquals("", b.body().string(), "prior responses keep headers only");
      Response a = b.priorResponse();
      assertEquals(302, a.code());
      assertEquals("http://user-service/a", a.request().url().toString());
      assertNull(a.priorResponse());
    }
    try (Response r = execute(new Request.Builder().url("http://user-service/c").build())) {
      assertNull(r.priorResponse(), "no redirect, no prior response");
    }
  }

  @Test
  void redirectToAnotherHostDropsCredentialsAndCookies() throws Exception {
    onCluster("/login", new MockResponse.Builder().addHeader("Set-Cookie", "sid=42; Path=/").body("ok").build());
    onCluster("/away", redirect(outside("/landing")));
    try (Response r = execute(new Request.Builder().url("http://user-service/login").build())) {
      assertEquals("ok", r.body().string());
    }
    try (Response r = execute(new Request.Builder().url("http://user-service/away")
        .header("Authorization", "Bearer secret").header("Cookie", "explicit=1").build())) {
      assertEquals(200, r.code());
    }
    RecordedRequest landing = backends.dispatcher(2).recorded.take();
    assertEquals("/landing", landing.getUrl().encodedPath());
    assertNull(landing.getHeaders().get("Authorization"));
    assertNull(landing.getHeaders().get("Cookie"));
    // On the cluster itself the jar's cookie went along (OkHttp lets the jar's cookies replace
    // an explicit Cookie header when the jar has any).
    assertEquals("sid=42", lastOnCluster("/away").getHeaders().get("Cookie"));
  }

  @Test
  void redirectToAnotherHostDropsProxyCredentials() throws Exception {
    // Balanced attempts bypass any proxy, so a Proxy-Authorization header reaches the server
    // itself; following it to another host would hand the proxy's credentials to that host.
    onCluster("/away", redirect(outside("/landing")));
    try (Response r = execute(new Request.Builder().url("http://user-service/away")
        .header("Proxy-Authorization", "Basic cHJveHk6c2VjcmV0").build())) {
      assertEquals(200, r.code());
    }
    RecordedRequest landing = backends.dispatcher(2).recorded.take();
    assertEquals("/landing", landing.getUrl().encodedPath());
    assertNull(landing.getHeaders().get("Proxy-Authorization"));
  }

  @Test
  void backendCookiesAreStoredUnderTheLogicalHostAndNeverSentElsewhere() throws Exception {
    onCluster("/login", new MockResponse.Builder().addHeader("Set-Cookie", "sid=42; Path=/").body("ok").build());
    try (Response r = execute(new Request.Builder().url("http://user-service/login").build())) {
      r.body().string();
    }
    assertEquals(1, jar.cookies.size());
    Cookie stored = jar.cookies.get(0);
    assertEquals("user-service", stored.domain());
    assertTrue(stored.hostOnly());
    // Both servers of the cluster now get it; the outside host does not.
    for (int i = 0; i < 4; i++) {
      try (Response r = execute(new Request.Builder().url("http://user-service/data").build())) {
        r.body().string();
      }
    }
    for (int i = 0; i < 2; i++) {
      for (RecordedRequest rec : backends.dispatcher(i).recorded) {
        if (rec.getUrl().encodedPath().equals("/data")) {
          assertEquals("sid=42", rec.getHeaders().get("Cookie"));
        }
      }
    }
    try (Response r = execute(new Request.Builder().url(outside("/")).build())) {
      r.body().string();
    }
    assertNull(backends.dispatcher(2).recorded.take().getHeaders().get("Cookie"));
  }

  @Test
  void outsideHostCannotRedirectIntoACluster() throws IOException {
    backends.dispatcher(2).always = redirect("http://user-service/admin");
    try (Response r = execute(new Request.Builder().url(outside("/")).build())) {
      assertEquals(302, r.code());
    }
    assertEquals(0, LbOkHttp.counters(client).get("user-service").requests());
  }

  @Test
  void postRedirectedWith303BecomesGet() throws Exception {
    onCluster("/submit", new MockResponse.Builder().code(303).addHeader("Location", "/result").build());
    Request post = new Request.Builder().url("http://user-service/submit")
        .post(okhttp3.RequestBody.create("x=1", okhttp3.MediaType.get("application/x-www-form-urlencoded"))).build();
    try (Response r = execute(post)) {
      assertEquals(200, r.code());
    }
    RecordedRequest result = lastOnCluster("/result");
    assertEquals("GET", result.getMethod());
    assertNull(result.getHeaders().get("Content-Type"));
  }

  @Test
  void redirectLoopsStopAfterTwentyHops() {
    onCluster("/loop", redirect("/loop"));
    java.net.ProtocolException e = org.junit.jupiter.api.Assertions.assertThrows(java.net.ProtocolException.class,
        () -> execute(new Request.Builder().url("http://user-service/loop").build()).close());
    assertEquals("Too many follow-up requests: 21", e.getMessage());
  }
}
