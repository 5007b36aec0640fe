package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.api.ServerView;
import dev.lbkit.testing.FakeHealthInput;
import dev.lbkit.testing.FakeServerSource;
import dev.lbkit.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {

  private static final Server A = Server.of("10.0.0.1", 80);
  private static final Server B = Server.of("10.0.0.2", 80);
  private static final Server C = Server.of("10.0.0.3", 80);

  @Test
  void roundRobinVisitsServersInOrderFromARandomStart() {
    LoadBalancer lb = LoadBalancer.builder("c").servers(A, B, C).random(fixedStart(1)).build();
    List<String> picks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picks.add(lb.pick().server().host());
    }
    assertEquals(List.of("10.0.0.2", "10.0.0.3", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.1"), picks);
  }

  @Test
  void untrackedPicksAreDistinctSoThatOnlyTheirFirstReportCounts() {
    LoadBalancer lb = LoadBalancer.builder("c").servers(A).build();
    Selection pick = lb.pick();
    assertNotSame(pick, lb.pick());
    pick.complete(10, Outcome.SERVER_ERROR);
    pick.complete(10, Outcome.SERVER_ERROR);
    pick.complete(10, Outcome.SERVER_ERROR);
    assertEquals(1, view(lb, A).consecutiveFailures());
    assertEquals(A, pick.server(), "a completed pick still names its server");
  }

  @Test
  void rejectsInvalidSettingsNamingFieldAndValue() {
    assertMessage("name must not be empty, was ''", () -> LoadBalancer.builder("").servers(A).build());
    assertMessage("servers or source must be set, neither was", () -> LoadBalancer.builder("c").build());
    assertMessage(
        "servers and source are exclusive, both were set",
        () -> LoadBalancer.builder("c").servers(A).source(new FakeServerSource()).build());
    assertMessage(
        "panicThresholdPercent must be in [0, 100], was 101",
        () -> LoadBalancer.builder("c").servers(A).panicThresholdPercent(101).build());
    assertMessage(
        "maxEjectionPercent must be in [0, 100], was -1",
        () -> LoadBalancer.builder("c").servers(A).maxEjectionPercent(-1).build());
    assertMessage(
        "overprovisioningFactor must be a finite number >= 1, was 0.5",
        () -> LoadBalancer.builder("c").servers(A).overprovisioningFactor(0.5).build());
    assertMessage(
        "ewmaDecay must be positive, was PT0S",
        () -> LoadBalancer.builder("c").servers(A).ewmaDecay(Duration.ZERO).build());
    assertMessage(
        "servers must have distinct addresses, 10.0.0.1:80 appears twice",
        () -> LoadBalancer.builder("c").servers(A, A.withWeight(2)).build());
  }

  @Test
  void listUpdateKeepsStatisticsOfServersThatStay() {
    FakeTicker ticker = new FakeTicker();
    LoadBalancer lb =
        LoadBalancer.builder("c").servers(A, B).algorithm(new FakeTracking()).ticker(ticker).trackLatency(true).build();
    Selection onA = pickUntil(lb, A);
    Selection done = pickUntil(lb, A);
    done.complete(5_000_000, Outcome.SUCCESS);

    lb.updateServers(List.of(A.withWeight(7), C));

    ServerView a = view(lb, A);
    assertEquals(7, a.server().weight());
    assertEquals(1, a.inFlight());
    assertEquals(5_000_000, a.latencyEwmaNanos());
    assertEquals(List.of("10.0.0.1:80", "10.0.0.3:80"), ids(lb));

    onA.complete(1, Outcome.SUCCESS);
    assertEquals(0, view(lb, A).inFlight());
  }

  @Test
  void serverThatLeavesAndReturnsStartsFresh() {
    LoadBalancer lb = LoadBalancer.builder("c").servers(A, B).algorithm(new FakeTracking()).build();
    pickUntil(lb, B).complete(3_000, Outcome.SERVER_ERROR);
    assertEquals(1, view(lb, B).consecutiveFailures());
    lb.updateServers(List.of(A));
    lb.updateServers(List.of(A, B));
    assertEquals(0, view(lb, B).consecutiveFailures());
    assertNull(view(lb, B).lastOutcome());
  }

  @Test
  void secondReportNeverReleasesInFlightTwice() {
    LoadBalancer lb = LoadBalancer.builder("c").servers(A).algorithm(new FakeTracking()).build();
    Selection first = lb.pick();
    Selection second = lb.pick();
    assertEquals(2, view(lb, A).inFlight());
    first.complete(10, Outcome.SUCCESS);
    first.complete(10, Outcome.SUCCESS);
    first.complete(10, Outcome.SERVER_ERROR);
    assertEquals(1, view(lb, A).inFlight());
    assertEquals(0, view(lb, A).consecutiveFailures());
    second.complete(10, Outcome.SUCCESS);
    assertEquals(0, view(lb, A).inFlight());
  }

  @Test
  void peakEwmaJumpsOnSlowSampleAndDecaysOnFastOnes() {
    FakeTicker ticker = new FakeTicker();
    LoadBalancer lb = LoadBalancer.builder("c").servers(A).ticker(ticker).trackLatency(true).build();
    lb.pick().complete(10_000_000, Outcome.SUCCESS);
    ticker.advance(Duration.ofSeconds(1));
    lb.pick().complete(100_000_000, Outcome.SUCCESS);
    ServerView v = view(lb, A);
    assertEquals(100_000_000, v.peakEwmaNanos());
    // Plain EWMA: w = exp(-1 s / 10 s) = 0.9048; 10 ms * w + 100 ms * (1 - w). The weight comes
    // from Decay's table, within 1.9e-6 of exp: at most 90 ms * 1.9e-6 = 171 ns off.
    assertEquals(18_564_632, v.latencyEwmaNanos(), 200);
    ticker.advance(Duration.ofSeconds(10));
    // Decay on read: 100 ms * e^-1 = 36.8 ms after one decay time without a sample.
    assertEquals(36_787_944, view(lb, A).peakEwmaNanos(), 2);
    lb.pick().complete(10_000_000, Outcome.SUCCESS);
    // Peak: the decayed 36.8 ms * e^-1 + 10 ms * (1 - e^-1) = 19.9 ms, lowered gradually.
    assertEquals(19_854_734, view(lb, A).peakEwmaNanos(), 2);
  }

  @Test
  void cancelledCallsAreNeitherSuccessNorFailureAndAddNoLatency() {
    FakeTicker ticker = new FakeTicker();
    LoadBalancer lb = LoadBalancer.builder("c").servers(A).ticker(ticker).trackLatency(true).build();
    lb.pick().complete(999_999_999, Outcome.CANCELLED);
    assertEquals(0, lb.servers().get(0).latencyEwmaNanos(), "a cancelled call samples nothing");
    lb.pick().complete(5_000_000, Outcome.SUCCESS);
    lb.pick().complete(999_999_999, Outcome.CANCELLED);
    ServerView v = view(lb, A);
    assertEquals(0, v.consecutiveFailures());
    assertEquals(5_000_000, v.latencyEwmaNanos());
    assertEquals(5_000_000, v.peakEwmaNanos());
    assertEquals(Outcome.CANCELLED, v.lastOutcome());
  }

  @Test
  void failureIsSampledAsThePenaltyNeverAsItsMeasuredLatency() {
    FakeTicker ticker = new FakeTicker();
    LoadBalancer lb = LoadBalancer.builder("c").servers(A).ticker(ticker)
        .failurePenalty(Duration.ofMillis(500)).trackLatency(true).build();
    lb.pick().complete(5_000_000, Outcome.SUCCESS);
    ticker.advance(Duration.ofMillis(1));
    lb.pick().complete(100_000, Outcome.CONNECT_FAILURE); // a refused connect: 0.1 ms
    ServerView v = view(lb, A);
    assertEquals(1, v.consecutiveFailures());
    assertEquals(500_000_000, v.peakEwmaNanos());
    assertEquals(500_000_000, v.latencyEwmaNanos(), "a failure raises the EWMA at once too");
    lb.pick().complete(2_000_000_000, Outcome.TIMEOUT); // slower than the penalty: as measured
    assertEquals(2_000_000_000, view(lb, A).peakEwmaNanos());
  }

  @Test
  void latencyIsNotTrackedWhenNothingReadsIt() {
    LoadBalancer lb = LoadBalancer.builder("c").servers(A).ticker(new FakeTicker()).build();
    lb.pick().complete(5_000_000, Outcome.SUCCESS);
    lb.pick().complete(1_000, Outcome.SERVER_ERROR);
    ServerView v = view(lb, A);
    assertEquals(ServerView.NOT_TRACKED, v.latencyEwmaNanos(), "round robin reads no latency");
    assertEquals(ServerView.NOT_TRACKED, v.peakEwmaNanos());
    assertEquals(1, v.consecutiveFailures(), "failures are counted all the same");
    LoadBalancer lrt = LoadBalancer.builder("c").servers(A).ticker(new FakeTicker())
        .algorithm(Algorithms.leastResponseTime().build()).build();
    lrt.pick().complete(5_000_000, Outcome.SUCCESS);
    assertEquals(5_000_000, view(lrt, A).latencyEwmaNanos(), "least response time reads it");
  }

  @Test
  void defaultFailurePenaltyIsOneSecond() {
    LoadBalancer lb = LoadBalancer.builder("c").servers(A).ticker(new FakeTicker()).trackLatency(true).build();
    lb.pick().complete(1_000, Outcome.SERVER_ERROR);
    assertEquals(1_000_000_000, view(lb, A).peakEwmaNanos());
  }

  @Test
  void explainsWhyNothingIsPickable() {
    Server d = Server.of("10.0.0.4", 80);
    Server e = Server.of("10.0.0.5", 80);
    FakeHealthInput health = new FakeHealthInput();
    LoadBalancer lb =
        LoadBalancer.builder("user-service")
            .servers(A, B, C, d, e)
            .healthInput(health)
            .panicThresholdPercent(0)
            .build();
    health.control().setActive(A, ActiveHealth.UNHEALTHY, "GET /health returned 503");
    health.control().setActive(B, ActiveHealth.UNHEALTHY, "connect refused");
    health.control().setActive(C, ActiveHealth.UNHEALTHY, "timeout");
    lb.drain(d);
    lb.drain(e);
    NoAvailableServerException ex = assertThrows(NoAvailableServerException.class, lb::pick);
    assertEquals("user-service: 0 of 5 servers pickable (3 unhealthy, 2 draining)", ex.getMessage());
    assertEquals("unhealthy: GET /health returned 503", view(lb, A).health().reason());
    assertEquals("draining", view(lb, d).health().reason());
  }

  @Test
  void explainsAnAvoidSetThatCoversEveryServer() {
    LoadBalancer lb = LoadBalancer.builder("orders").servers(A, B).build();
    PickContext tried = PickContext.builder().avoid(A).avoid(B).build();
    NoAvailableServerException ex = assertThrows(NoAvailableServerException.class, () -> lb.pick(tried));
    assertEquals("orders: 0 of 2 servers pickable (2 already tried)", ex.getMessage());
    assertEquals(B, lb.pick(PickContext.builder().avoid(A).build()).server());
  }

  @Test
  void emptyAndClosedClustersExplainThemselves() {
    LoadBalancer lb = LoadBalancer.builder("orders").servers(List.of()).build();
    assertEquals("orders: no servers", assertThrows(NoAvailableServerException.class, lb::pick).getMessage());
    lb.updateServers(List.of(A));
    assertEquals(A, lb.pick().server());
    lb.close();
    assertEquals(
        "orders: load balancer closed; no picks after close()",
        assertThrows(IllegalStateException.class, lb::pick).getMessage());
  }

  @Test
  void sourcePushesFullListsAndDuplicatesKeepTheFirstEntry() {
    FakeServerSource source = new FakeServerSource();
    LoadBalancer lb = LoadBalancer.builder("c").source(source).build();
    assertThrows(NoAvailableServerException.class, lb::pick);
    source.push(List.of(A, B, A.withWeight(9)));
    assertEquals(List.of("10.0.0.1:80", "10.0.0.2:80"), ids(lb));
    assertEquals(1, view(lb, A).server().weight());
    lb.close();
    assertTrue(source.isClosed());
  }

  @Test
  void updateServersRejectsDuplicates() {
    LoadBalancer lb = LoadBalancer.builder("c").servers(A).build();
    assertMessage(
        "servers must have distinct addresses, 10.0.0.2:80 appears twice",
        () -> lb.updateServers(List.of(B, B)));
  }

  @Test
  void listenerSeesAddsRemovesAndHealthChanges() {
    List<String> events = new ArrayList<>();
    FakeHealthInput health = new FakeHealthInput();
    LoadBalancer lb =
        LoadBalancer.builder("c")
            .servers(A)
            .healthInput(health)
            .listener(new dev.lbkit.api.LoadBalancerListener() {
              @Override
              public void onServersChanged(String cluster, List<Server> added, List<Server> removed) {
                events.add("servers +" + added.size() + " -" + removed.size());
              }

              @Override
              public void onHealthChanged(
                  String cluster, Server server, dev.lbkit.api.HealthState before, dev.lbkit.api.HealthState after) {
                events.add(server.id() + " " + after.reason());
              }
            })
            .build();
    lb.updateServers(List.of(A, B));
    health.control().setActive(B, ActiveHealth.HEALTHY, null);
    assertEquals(List.of("servers +1 -0", "servers +1 -0", "10.0.0.2:80 healthy"), events);
  }

  /**
   * Two threads pick while a third swaps the list 10,000 times. Every list holds servers of its
   * own generation only; a pick that starts after generation g was published must return a
   * server of generation g or later.
   */
  @Test
  void pickNeverReturnsServerRemovedBeforePickBegan() throws Exception {
    LoadBalancer lb = LoadBalancer.builder("c").servers(generation(0)).build();
    AtomicInteger published = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong picks = new AtomicLong();
    CountDownLatch done = new CountDownLatch(2);
    for (int t = 0; t < 2; t++) {
      Thread picker = new Thread(() -> {
        try {
          while (!stop.get()) {
            int before = published.get();
            Server s = lb.pick().server();
            int gen = Integer.parseInt(s.host().substring(1));
            if (gen < before) {
              throw new AssertionError("picked " + s.id() + " after generation " + before + " was published");
            }
            picks.incrementAndGet();
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        } finally {
          done.countDown();
        }
      });
      picker.start();
    }
    for (int g = 1; g <= 10_000 && failure.get() == null; g++) {
      lb.updateServers(generation(g));
      published.set(g);
    }
    stop.set(true);
    assertTrue(done.await(30, TimeUnit.SECONDS), "pickers did not stop");
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    assertTrue(picks.get() > 0);
  }

  private static List<Server> generation(int g) {
    return List.of(Server.of("g" + g, 1), Server.of("g" + g, 2));
  }

  // ---------------------------------------------------------------- helpers and fakes

  private static Selection pickUntil(Picker lb, Server target) {
    for (int i = 0; i < 100; i++) {
      Selection s = lb.pick();
      if (s.server().id().equals(target.id())) {
        return s;
      }
      s.complete(0, Outcome.CANCELLED);
    }
    throw new AssertionError("never picked " + target);
  }

  private static ServerView view(LoadBalancer lb, Server s) {
    return lb.servers().stream().filter(v -> v.server().id().equals(s.id())).findFirst().orElseThrow();
  }

  private static List<String> ids(LoadBalancer lb) {
    return lb.servers().stream().map(v -> v.server().id()).collect(Collectors.toList());
  }

  static void assertMessage(String expected, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertEquals(expected, e.getMessage());
  }

  /** A random source whose first draw, the round-robin start, is {@code start}. */
  private static RandomSource fixedStart(int start) {
    RandomSource seeded = RandomSource.seeded(1);
    return new RandomSource() {
      @Override
      public int nextInt(int bound) {
        return start % bound;
      }

      @Override
      public long nextLong() {
        return seeded.nextLong();
      }

      @Override
      public double nextDouble() {
        return seeded.nextDouble();
      }
    };
  }

  /** Round robin that tracks in-flight requests, to test tracked selections. */
  static final class FakeTracking implements Algorithm {
    @Override
    public String name() {
      return "fake-tracking";
    }

    @Override
    public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
      AtomicInteger next = new AtomicInteger();
      Function<PickContext, Selection> pick = ctx -> {
        for (int k = 0; k < endpoints.size(); k++) {
          Endpoint e = endpoints.get(Math.floorMod(next.getAndIncrement(), endpoints.size()));
          if (!ctx.avoids(e.server())) {
            return e.track();
          }
        }
        throw context.noServerAvailable(ctx, null);
      };
      return pick::apply;
    }
  }

  @Test
  void sourceThatFailsToStartClosesTheInputsAlreadyStartedAndNamesTheCluster() {
    FakeHealthInput first = new FakeHealthInput();
    FakeHealthInput second = new FakeHealthInput();
    ServerSource broken = new ServerSource() {
      @Override
      public void start(Listener listener) {
        throw new IllegalArgumentException("registry unreachable");
      }

      @Override
      public void close() {}

      @Override
      public String toString() {
        return "BrokenSource";
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> LoadBalancer.builder("users").source(broken).healthInput(first).healthInput(second).build());
    assertEquals("users: server source BrokenSource failed to start: registry unreachable", e.getMessage());
    assertTrue(first.isStarted() && second.isStarted(), "both inputs were started");
    assertTrue(first.isClosed(), "first input closed");
    assertTrue(second.isClosed(), "second input closed");
  }

  @Test
  void preferredServerIsReturnedWhilePickableAndNotAvoided() {
    FakeHealthInput health = new FakeHealthInput();
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(A, B, C).healthInput(health)
        .maxEjectionPercent(50).build()) {
      PickContext preferB = PickContext.builder().prefer(B).build();
      for (int i = 0; i < 10; i++) {
        Selection s = lb.pick(preferB);
        assertEquals(B, s.server());
        s.complete(1, Outcome.SUCCESS);
      }
      assertEquals(0, view(lb, B).inFlight(), "a preferred pick is tracked and released");
      Selection avoided = lb.pick(preferB.toBuilder().avoid(B).build());
      assertTrue(!avoided.server().equals(B), "an avoided preferred server is not returned");
      lb.drain(B);
      assertTrue(!lb.pick(preferB).server().equals(B), "a draining server is not offered");
      lb.undrain(B);
      health.control().eject(B, "test");
      assertTrue(!lb.pick(preferB).server().equals(B), "an ejected server is not offered");
      health.control().uneject(B);
      assertEquals(B, lb.pick(PickContext.builder().preferId("10.0.0.2:80").build()).server());
      assertEquals(A.id(), lb.pick(PickContext.builder().prefer(A).build()).server().id());
      Selection unknown = lb.pick(PickContext.builder().preferId("10.9.9.9:80").build());
      assertNotNull(unknown.server(), "an unknown preferred server means a normal pick");
    }
  }

  @Test
  void sourceListWithANullElementIsIgnoredAndTheLastListKept() {
    FakeServerSource source = new FakeServerSource();
    try (LoadBalancer lb = LoadBalancer.builder("c").source(source).build()) {
      source.push(List.of(A, B));
      source.push(java.util.Arrays.asList(A, null, C));
      assertEquals(List.of("10.0.0.1:80", "10.0.0.2:80"), ids(lb));
    }
  }
}
