package dev.lbkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Server;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TestBackendsTest {

  private final TestBackends backends;

  TestBackendsTest() throws IOException {
    backends = TestBackends.start(3);
  }

  @AfterEach
  void close() {
    backends.close();
  }

  /** A new client per call: no pooled connection outlives a backend's death. */
  private static HttpResponse<String> get(TestBackend backend, String path) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + backend.port() + path))
        .timeout(Duration.ofSeconds(10)).build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void eachBackendAnswersWithItsIndexOnItsOwnLoopbackPort() throws Exception {
    assertEquals(3, backends.size());
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = get(backends.get(i), "/api/users/1");
      assertEquals(200, r.statusCode());
      assertEquals(String.valueOf(i), r.body());
      assertEquals(String.valueOf(i), r.headers().firstValue(TestBackend.BACKEND_HEADER).orElseThrow());
      assertEquals(Server.of("127.0.0.1", backends.get(i).port()), backends.servers().get(i));
      assertEquals(backends.get(i).server(), backends.servers().get(i));
    }
    assertEquals(3, backends.servers().stream().map(Server::port).distinct().count(), "free ports, one each");
  }

  @Test
  void countsEveryRequestItReceivesByPathToo() throws Exception {
    TestBackend b = backends.get(0);
    get(b, "/health");
    get(b, "/api?x=1");
    b.failing(503);
    get(b, "/api");
    assertEquals(3, b.requests(), "failed answers count too");
    assertEquals(2, b.requests("/api"));
    assertEquals(1, b.requests("/health"));
    assertEquals(0, b.requests("/other"));
    assertEquals(3, backends.requests());
    b.resetRequests();
    assertEquals(0, b.requests());
    assertEquals(0, b.requests("/api"));
  }

  @Test
  void failingAnswersWithTheStatusUntilHealthyAgain() throws Exception {
    TestBackend b = backends.get(1);
    b.failing(503);
    HttpResponse<String> failed = get(b, "/");
    assertEquals(503, failed.statusCode());
    assertEquals("1", failed.body());
    assertEquals(200, get(backends.get(0), "/").statusCode(), "other backends are unaffected");
    b.healthy();
    assertEquals(200, get(b, "/").statusCode());
  }

  @Test
  void slowHoldsEachAnswerForTheDelay() throws Exception {
    TestBackend b = backends.get(0).slow(Duration.ofMillis(300));
    long start = System.nanoTime();
    assertEquals(200, get(b, "/").statusCode());
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(tookMillis >= 300, "answered after " + tookMillis + " ms");
    b.slow(Duration.ZERO).failing(500);
    start = System.nanoTime();
    assertEquals(500, get(b, "/").statusCode());
    assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(300), "fast again");
  }

  @Test
  void deadRefusesConnectionsAndReviveListensOnTheSamePortAgain() throws Exception {
    TestBackend b = backends.get(2);
    int port = b.port();
    assertEquals(200, get(b, "/").statusCode());
    b.dead();
    b.dead(); // idempotent
    assertFalse(b.isAlive());
    assertThrows(ConnectException.class, () -> get(b, "/"));
    assertEquals(1, b.requests(), "a refused connection is no request");
    b.revive();
    assertTrue(b.isAlive());
    assertEquals(port, b.port());
    assertEquals(200, get(b, "/").statusCode());
    assertEquals(2, b.requests());
    b.revive(); // alive: nothing to do
    assertEquals(200, get(b, "/").statusCode());
  }

  @Test
  void revivedBackendKeepsItsFailingAndSlowSettings() throws Exception {
    TestBackend b = backends.get(0).failing(503);
    b.dead().revive();
    assertEquals(503, get(b, "/").statusCode());
  }

  @Test
  void dyingCutsAHeldRequestShortWithoutAnAnswer() throws Exception {
    TestBackend b = backends.get(0).slow(Duration.ofMinutes(5));
    CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> {
      try {
        return get(b, "/");
      } catch (IOException | InterruptedException e) {
        throw new RuntimeException(e);
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (b.requests() == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(1, b.requests(), "the request arrived");
    b.dead();
    Exception e = assertThrows(Exception.class, () -> held.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof RuntimeException && e.getCause().getCause() instanceof IOException, e.toString());
  }

  @Test
  void closedBackendsFreeTheirPortsAndCannotRevive() throws Exception {
    TestBackend b = backends.get(1);
    backends.close();
    backends.close(); // idempotent
    assertThrows(ConnectException.class, () -> get(b, "/"));
    IllegalStateException e = assertThrows(IllegalStateException.class, b::revive);
    assertEquals("backend 1 on port " + b.port() + " was closed and cannot revive", e.getMessage());
  }

  @Test
  void headRequestsGetHeadersOnly() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + backends.get(0).port() + "/"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals("", r.body());
    assertEquals("0", r.headers().firstValue(TestBackend.BACKEND_HEADER).orElseThrow());
  }

  @Test
  void setsTcpNoDelayForTheJdkServer() {
    assertEquals("true", System.getProperty("sun.net.httpserver.nodelay"));
  }

  @Test
  void badSettingsAreRejectedWithTheirValue() {
    TestBackend b = backends.get(0);
    assertEquals("status must be in [200, 599], was 99",
        assertThrows(IllegalArgumentException.class, () -> b.failing(99)).getMessage());
    assertEquals("delay must not be negative, was PT-1S",
        assertThrows(IllegalArgumentException.class, () -> b.slow(Duration.ofSeconds(-1))).getMessage());
    assertEquals("count must be at least 1, was 0",
        assertThrows(IllegalArgumentException.class, () -> TestBackends.start(0)).getMessage());
  }
}
