package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.testing.FakeHealthInput;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runtime's max-ejection cap and last-pickable rule, across every health input. */
class EjectionCapTest {

  private final FakeHealthInput outliers = new FakeHealthInput();
  private final FakeHealthInput breakers = new FakeHealthInput();

  private LoadBalancer lb(List<Server> servers, int maxEjectionPercent) {
    return LoadBalancer.builder("c")
        .servers(servers)
        .healthInput(outliers)
        .healthInput(breakers)
        .maxEjectionPercent(maxEjectionPercent)
        .panicThresholdPercent(0)
        .build();
  }

  private static long ejected(LoadBalancer lb) {
    return lb.servers().stream().filter(v -> v.health().status() == HealthState.Status.EJECTED).count();
  }

  @Test
  void fiveServersThreeBadUnderTheDefaultCapEjectOnlyOne() {
    List<Server> s = HealthFakes.servers(5, 0, 0);
    try (LoadBalancer lb = lb(s, LoadBalancer.DEFAULT_MAX_EJECTION_PERCENT)) {
      assertTrue(outliers.control().eject(s.get(0), "5 consecutive failures"));
      assertFalse(outliers.control().eject(s.get(1), "5 consecutive failures"));
      assertFalse(outliers.control().eject(s.get(2), "5 consecutive failures"));
      assertEquals(1, ejected(lb));
      assertEquals("ejected: 5 consecutive failures", lb.servers().get(0).health().reason());
    }
  }

  @Test
  void capCoversOpenBreakersOfAnotherInput() {
    List<Server> s = HealthFakes.servers(5, 0, 0);
    try (LoadBalancer lb = lb(s, LoadBalancer.DEFAULT_MAX_EJECTION_PERCENT)) {
      assertTrue(outliers.control().eject(s.get(0), "outlier"));
      assertFalse(breakers.control().eject(s.get(1), "circuit breaker open"), "second signal, same cap");
      assertTrue(breakers.control().eject(s.get(0), "circuit breaker open"), "an ejected server may gain reasons");
      assertEquals(1, ejected(lb));
      outliers.control().uneject(s.get(0));
      assertEquals(1, ejected(lb), "still ejected by the breaker");
      breakers.control().uneject(s.get(0));
      assertTrue(breakers.control().eject(s.get(1), "circuit breaker open"), "the slot is free again");
    }
  }

  @Test
  void capIsCountedAfterTheEjectionInQuestion() {
    List<Server> s = HealthFakes.servers(5, 0, 0);
    try (LoadBalancer lb = lb(s, 40)) {
      // 40% of 5 = 2: the third ejection would make 60%.
      assertTrue(outliers.control().eject(s.get(0), "bad"));
      assertTrue(outliers.control().eject(s.get(1), "bad"));
      assertFalse(outliers.control().eject(s.get(2), "bad"));
      assertEquals(2, ejected(lb));
    }
    try (LoadBalancer lb = lb(s, 30)) {
      // 30% of 5 = 1.5: a second ejection would make 40% > 30% (gRPC's check-before would allow it).
      assertTrue(outliers.control().eject(s.get(0), "bad"));
      assertFalse(outliers.control().eject(s.get(1), "bad"));
      assertEquals(1, ejected(lb));
    }
  }

  @Test
  void clusterOfTwoMayAlwaysEjectOne() {
    List<Server> s = HealthFakes.servers(2, 0, 0);
    try (LoadBalancer lb = lb(s, 10)) {
      assertTrue(outliers.control().eject(s.get(0), "bad"));
      assertFalse(outliers.control().eject(s.get(1), "bad"));
      assertEquals(1, ejected(lb));
    }
  }

  @Test
  void neverEjectsTheLastPickableServer() {
    List<Server> s = HealthFakes.servers(3, 0, 0);
    try (LoadBalancer lb = lb(s, 100)) {
      outliers.control().setActive(s.get(0), ActiveHealth.UNHEALTHY, "down");
      assertTrue(outliers.control().eject(s.get(1), "bad"));
      assertFalse(outliers.control().eject(s.get(2), "bad"), "the last pickable server");
      assertTrue(outliers.control().eject(s.get(0), "bad"), "an unpickable server may be ejected");
      assertEquals(s.get(2), lb.pick(dev.lbkit.api.PickContext.EMPTY).server());
    }
  }

  @Test
  void singleServerAndZeroPercentNeverEject() {
    try (LoadBalancer lb = lb(HealthFakes.servers(1, 0, 0), 100)) {
      assertFalse(outliers.control().eject(HealthFakes.servers(1, 0, 0).get(0), "bad"));
      assertEquals(0, ejected(lb));
    }
    List<Server> s = HealthFakes.servers(5, 0, 0);
    try (LoadBalancer lb = lb(s, 0)) {
      assertFalse(outliers.control().eject(s.get(0), "bad"));
      assertEquals(0, ejected(lb));
    }
  }

  @Test
  void concurrentEjectionsFromManyThreadsNeverExceedTheCap() throws Exception {
    List<Server> s = HealthFakes.servers(20, 0, 0);
    try (LoadBalancer lb = lb(s, 25)) {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicLong maxSeen = new java.util.concurrent.atomic.AtomicLong();
      List<Thread> threads = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int offset = t;
        Thread th = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < 20; i++) {
            FakeHealthInput in = (i + offset) % 2 == 0 ? outliers : breakers;
            Server target = s.get((i + offset * 3) % 20);
            if (in.control().eject(target, "bad")) {
              accepted.incrementAndGet();
            }
            long ejected = lb.servers().stream().filter(v -> v.health().ejected()).count();
            maxSeen.accumulateAndGet(ejected, Math::max);
          }
        });
        th.start();
        threads.add(th);
      }
      go.countDown();
      for (Thread th : threads) {
        th.join(10_000);
      }
      assertEquals(5, ejected(lb), "25% of 20");
      assertEquals(5, maxSeen.get(), "never more than the cap, seen from any thread");
      assertTrue(accepted.get() >= 5);
    }
  }

  @Test
  void ejectedServerGetsNoPicks() {
    List<Server> s = HealthFakes.servers(5, 0, 0);
    try (LoadBalancer lb = lb(s, 10)) {
      outliers.control().eject(s.get(3), "bad");
      assertFalse(HealthFakes.pickCounts(lb, 1000).containsKey(s.get(3).id()));
      ServerView v = lb.servers().get(3);
      assertEquals(HealthState.Status.EJECTED, v.health().status());
    }
  }
}
