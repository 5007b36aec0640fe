package dev.lbkit.examples.integration;

import static dev.lbkit.examples.integration.IntegrationPassiveHealthTest.pickCounts;
import static dev.lbkit.examples.integration.IntegrationPassiveHealthTest.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Server;
import dev.lbkit.health.ActiveHealthCheck;
import dev.lbkit.health.HealthCheck;
import dev.lbkit.health.HealthChecks;
import dev.lbkit.testing.FakeScheduler;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Active HTTP health checks end to end: the real {@link ActiveHealthCheck} with the real HTTP
 * check probes three real backends (MockWebServer on 127.0.0.1) and feeds a real {@link
 * LoadBalancer}. Check timers run in virtual time ({@link FakeScheduler}); each round of checks is
 * real HTTP, awaited with a bound before time moves on, so no check ever times out virtually.
 */
class IntegrationActiveHealthCheckTest {

  private static final Duration INTERVAL = Duration.ofSeconds(5);
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private static final Duration ROUND_BOUND = Duration.ofSeconds(10);

  private final FakeScheduler time = new FakeScheduler();
  private final List<MockWebServer> backends = new ArrayList<>();
  private final List<AtomicInteger> statuses = new ArrayList<>();
  private final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();
  private final List<Server> servers = new ArrayList<>();
  private final FakeBarrierInput barrier = new FakeBarrierInput();
  private HealthCheck check;

  @BeforeEach
  void startBackends() throws IOException {
    for (int i = 0; i < 3; i++) {
      AtomicInteger status = new AtomicInteger(200);
      MockWebServer web = new MockWebServer();
      int index = i;
      web.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          requests.add(index + " " + request.getMethod() + " " + request.getTarget());
          return new MockResponse.Builder().code(status.get()).body(status.get() == 200 ? "ok" : "unavailable").build();
        }
      });
      web.start(InetAddress.getLoopbackAddress(), 0);
      backends.add(web);
      statuses.add(status);
      servers.add(Server.of("127.0.0.1", web.getPort()));
    }
    check = HealthChecks.http().build();
  }

  @AfterEach
  void stopBackends() throws Exception {
    if (check instanceof AutoCloseable) {
      ((AutoCloseable) check).close();
    }
    for (MockWebServer web : backends) {
      web.close();
    }
  }

  private LoadBalancer balancer() {
    return LoadBalancer.builder("users").algorithm(Algorithms.roundRobin()).servers(servers).ticker(time.ticker())
        .random(RandomSource.seeded(3)).unknownPickable(false)
        .healthInput(ActiveHealthCheck.builder(check).interval(INTERVAL).timeout(TIMEOUT).jitter(Duration.ZERO)
            .rise(2).fall(2).scheduler(time).build())
        .healthInput(barrier)
        .build();
  }

  /** Lets the checks due now run over real HTTP and waits until every one has answered. */
  private void checkRound() throws InterruptedException {
    time.runDue();
    // Each server's next check is scheduled (INTERVAL away) once its answer was processed.
    time.awaitQuiet(servers.size(), INTERVAL.minus(Duration.ofMillis(1)), ROUND_BOUND);
    // Verdicts reach the balancer through its control plane, possibly just after that.
    barrier.await(ROUND_BOUND);
  }

  private void nextRound() throws InterruptedException {
    time.advance(INTERVAL);
    checkRound();
  }

  private ActiveHealth active(LoadBalancer lb, int i) {
    return view(lb, servers.get(i)).health().active();
  }

  @Test
  void backendAnswering503IsTakenOutAfterFallAndReturnsAfterRise() throws Exception {
    try (LoadBalancer lb = balancer()) {
      assertEquals(ActiveHealth.UNKNOWN, active(lb, 0));
      checkRound();
      for (int i = 0; i < 3; i++) {
        assertEquals(ActiveHealth.HEALTHY, active(lb, i), "first check decides: " + view(lb, servers.get(i)));
      }
      assertEquals(3, requests.size());
      assertTrue(requests.contains("1 GET /health"), "default shallow GET /health: " + requests);
      assertEquals(3, pickCounts(lb, 300).size());

      statuses.get(1).set(503);
      nextRound();
      assertEquals(ActiveHealth.HEALTHY, active(lb, 1), "one 503 is below fall = 2");
      assertEquals(100, pickCounts(lb, 300).getOrDefault(servers.get(1).id(), 0), "still picked after one 503");
      nextRound();
      assertEquals(ActiveHealth.UNHEALTHY, active(lb, 1), "two 503 in a row reach fall = 2");
      String reason = view(lb, servers.get(1)).health().reason();
      assertTrue(reason.contains("503"), "the reason names the status: " + reason);
      Map<String, Integer> down = pickCounts(lb, 300);
      assertFalse(down.containsKey(servers.get(1).id()), "an unhealthy backend gets no picks: " + down);
      assertEquals(150, down.get(servers.get(0).id()));
      assertFalse(lb.inPanic());

      statuses.get(1).set(200);
      nextRound();
      assertEquals(ActiveHealth.UNHEALTHY, active(lb, 1), "one pass is below rise = 2");
      assertFalse(pickCounts(lb, 300).containsKey(servers.get(1).id()));
      nextRound();
      assertEquals(ActiveHealth.HEALTHY, active(lb, 1), "two passes in a row reach rise = 2");
      assertEquals(100, pickCounts(lb, 300).getOrDefault(servers.get(1).id(), 0), "back in rotation");
      assertEquals(3 * 5, requests.size(), "five rounds of one check per backend, no extra probes");
    }
  }

  @Test
  void unknownBackendsTakeNoTrafficUntilTheirFirstCheckWhenConfigured() throws Exception {
    statuses.get(2).set(503);
    try (LoadBalancer lb = balancer()) {
      checkRound();
      assertEquals(ActiveHealth.UNHEALTHY, active(lb, 2), "the first check decides either way");
      Map<String, Integer> counts = pickCounts(lb, 200);
      assertEquals(Map.of(servers.get(0).id(), 100, servers.get(1).id(), 100), counts);
    }
  }
}
