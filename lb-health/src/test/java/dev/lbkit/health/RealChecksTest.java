package dev.lbkit.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeScheduler;
import dev.lbkit.testing.FakeTicker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TCP and HTTP checks against real loopback sockets. */
class RealChecksTest {

  private MockWebServer web;
  private Server server;
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startServer() throws IOException {
    web = new MockWebServer();
    web.start(InetAddress.getLoopbackAddress(), 0);
    server = Server.of("127.0.0.1", web.getPort());
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    web.close();
  }

  private HealthCheck http(HealthChecks.HttpBuilder b) {
    HealthCheck c = b.build();
    closeables.add((HttpCheck) c);
    return c;
  }

  private static CheckResult run(HealthCheck check, Server s) throws Exception {
    return check.check(s).get(10, TimeUnit.SECONDS);
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void tcpCheckPassesAgainstAListeningServer() throws Exception {
    assertEquals(CheckResult.healthy("TCP connect succeeded"), run(HealthChecks.tcp(), server));
  }

  @Test
  void tcpCheckResolvesHostNamesOffTheCallingThread() throws Exception {
    assertEquals(CheckResult.healthy("TCP connect succeeded"),
        run(HealthChecks.tcp(), Server.of("localhost", web.getPort())));
  }

  @Test
  void tcpCheckFailsAgainstAClosedPort() throws Exception {
    CheckResult r = run(HealthChecks.tcp(), Server.of("127.0.0.1", closedPort()));
    assertFalse(r.isHealthy());
    assertTrue(r.detail().startsWith("TCP connect failed: "), r.detail());
  }

  @Test
  void httpCheckRunsOnDaemonThreadsSoItNeverHoldsTheJvm() throws Exception {
    web.enqueue(new MockResponse.Builder().code(200).build());
    run(http(HealthChecks.http()), server);
    // The dispatcher thread idles for a minute after the call, so it is still there to inspect.
    // OkHttp names it after the URL while it runs the call and restores the name just after
    // the result is delivered, so wait for that, bounded.
    FakeHealthControl.await(() -> !httpCheckThreads().isEmpty(), "an idle lbkit-http-check thread");
    List<Thread> threads = httpCheckThreads();
    for (Thread t : threads) {
      assertTrue(t.isDaemon(), t + " is not a daemon thread");
    }
  }

  private static List<Thread> httpCheckThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("lbkit-http-check"))
        .collect(java.util.stream.Collectors.toList());
  }

  @Test
  void httpCheckSendsGetHealthAndPassesOn200() throws Exception {
    web.enqueue(new MockResponse.Builder().code(200).build());
    assertEquals(CheckResult.healthy("GET /health returned 200"), run(http(HealthChecks.http()), server));
    RecordedRequest req = web.takeRequest(5, TimeUnit.SECONDS);
    assertEquals("GET", req.getMethod());
    assertEquals("/health", req.getTarget());
    assertEquals("lbkit-health", req.getHeaders().get("User-Agent"));
  }

  @Test
  void httpCheckFailsOnAnUnexpectedStatus() throws Exception {
    web.enqueue(new MockResponse.Builder().code(503).build());
    assertEquals(CheckResult.unhealthy("GET /health returned 503, expected 200-299"),
        run(http(HealthChecks.http()), server));
  }

  @Test
  void httpCheckUsesConfiguredMethodPathAndStatusRanges() throws Exception {
    HealthCheck c = http(HealthChecks.http().method("HEAD").path("/ready?full=0").expectStatus(200, 200)
        .expectStatus(204, 204));
    web.enqueue(new MockResponse.Builder().code(204).build());
    assertEquals(CheckResult.healthy("HEAD /ready?full=0 returned 204"), run(c, server));
    web.enqueue(new MockResponse.Builder().code(202).build());
    assertEquals(CheckResult.unhealthy("HEAD /ready?full=0 returned 202, expected 200, 204"), run(c, server));
    assertEquals("HEAD", web.takeRequest(5, TimeUnit.SECONDS).getMethod());
  }

  @Test
  void httpCheckMatchesTheBody() throws Exception {
    HealthCheck c = http(HealthChecks.http().bodyContains("ready"));
    web.enqueue(new MockResponse.Builder().code(200).body("all ready").build());
    assertTrue(run(c, server).isHealthy());
    web.enqueue(new MockResponse.Builder().code(200).body("starting").build());
    assertEquals(CheckResult.unhealthy("GET /health returned 200 without 'ready' in the body"), run(c, server));
  }

  @Test
  void deepCheckReadsTheJsonStatusField() throws Exception {
    HealthCheck c = http(HealthChecks.http().jsonStatus("UP"));
    web.enqueue(new MockResponse.Builder().code(200).body("{\"status\" : \"UP\", \"components\":{}}").build());
    assertEquals(CheckResult.healthy("GET /health returned 200 with status 'UP'"), run(c, server));
    web.enqueue(new MockResponse.Builder().code(200).body("{\"status\":\"DOWN\"}").build());
    assertEquals(CheckResult.unhealthy("GET /health returned 200 with status 'DOWN'"), run(c, server));
    web.enqueue(new MockResponse.Builder().code(200).body("ok").build());
    assertEquals(CheckResult.unhealthy("GET /health returned 200 without a JSON status field"), run(c, server));
  }

  @Test
  void httpCheckNeverFollowsARedirectToAnotherHost() throws Exception {
    web.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "http://example.invalid/health").build());
    web.enqueue(new MockResponse.Builder().code(200).build());
    assertEquals(CheckResult.unhealthy("GET /health returned 302, expected 200-299"),
        run(http(HealthChecks.http()), server));
    assertEquals(1, web.getRequestCount());
  }

  @Test
  void httpCheckFailsAgainstAClosedPort() throws Exception {
    CheckResult r = run(http(HealthChecks.http()), Server.of("127.0.0.1", closedPort()));
    assertFalse(r.isHealthy());
    assertTrue(r.detail().startsWith("GET /health failed: "), r.detail());
  }

  /**
   * A server that accepts and never answers: the check's timeout (virtual time) fails it and
   * cancels the call; nothing waits in real time.
   */
  @Test
  void serverThatAcceptsButNeverAnswersTurnsUnhealthyAtTheTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (IOException closed) {
          // test over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      Server s = Server.of("127.0.0.1", silent.getLocalPort());
      FakeTicker ticker = new FakeTicker();
      FakeScheduler scheduler = new FakeScheduler(ticker);
      FakeHealthControl control = new FakeHealthControl(ticker);
      HealthInput input = ActiveHealthCheck.aggressive(http(HealthChecks.http())).jitter(Duration.ZERO)
          .scheduler(scheduler).build();
      input.start(control);
      control.servers(input, s);
      long before = System.nanoTime();
      scheduler.runDue();
      FakeHealthControl.await(() -> accepted.size() == 1, "the check's connection");
      assertEquals(null, control.active.get(s.id()));
      scheduler.advance(Duration.ofSeconds(2));
      assertEquals(ActiveHealth.UNHEALTHY, control.active.get(s.id()));
      assertEquals("no answer within 2s (1 failure)", control.activeReason.get(s.id()));
      assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(2), "nothing blocked for the timeout");
      input.close();
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  @Test
  void activeTcpCheckMarksAClosedPortUnhealthyAndAListenerHealthy() throws Exception {
    Server closed = Server.of("127.0.0.1", closedPort());
    FakeTicker ticker = new FakeTicker();
    FakeScheduler scheduler = new FakeScheduler(ticker);
    FakeHealthControl control = new FakeHealthControl(ticker);
    HealthInput input = ActiveHealthCheck.aggressive(HealthChecks.tcp()).jitter(Duration.ZERO)
        .scheduler(scheduler).build();
    input.start(control);
    control.servers(input, server, closed);
    scheduler.runDue();
    FakeHealthControl.await(() -> control.active.size() == 2, "both verdicts");
    assertEquals(ActiveHealth.HEALTHY, control.active.get(server.id()));
    assertEquals(ActiveHealth.UNHEALTHY, control.active.get(closed.id()));
    input.close();
  }

  @Test
  void rejectsBadHttpConfigurationNamingFieldAndValue() {
    assertEquals("path must not be empty, was ''", ActiveHealthCheckTest.bad(() -> HealthChecks.http().path("").build()));
    assertEquals("path must start with '/', was 'health'",
        ActiveHealthCheckTest.bad(() -> HealthChecks.http().path("health").build()));
    assertEquals("expectStatus range must not be inverted, was 299-200",
        ActiveHealthCheckTest.bad(() -> HealthChecks.http().expectStatus(299, 200).build()));
    assertEquals("expectStatus must be within [100, 599], was 200-600",
        ActiveHealthCheckTest.bad(() -> HealthChecks.http().expectStatus(200, 600).build()));
    assertEquals("method must be a non-empty token, was ''",
        ActiveHealthCheckTest.bad(() -> HealthChecks.http().method("").build()));
  }
}
