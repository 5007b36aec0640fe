package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.api.Server;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.RetryPolicy;
import dev.lbkit.testing.FakeScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Row 5: the ejection cap. Five backends, three answering 500, outlier detection with a 30%
 * cap: 1.5 servers, so one. Over 2,000 calls in 20 virtual seconds (ejections expire and move
 * between the bad servers), a listener on the control plane tracks how many servers are ejected
 * and pickable after every health change. Variant "5 last": two backends, both bad, cap 100%:
 * the last pickable server is never ejected.
 */
class Scenario05EjectionCapTest {
  private static final int CALLS = 2000;

  @Test
  void neverMoreThanOneOfFiveEjected() throws IOException {
    Counts c = run(5, 3, 30);
    boolean pass = c.maxEjected.get() == 1 && c.minPickable.get() >= 4;
    ScenarioTable.record("5", "Ejection cap: 5 backends, 3 answer 500, cap 30%; " + CALLS + " calls over 20 virtual s",
        "never more than 1 ejected; never the last pickable server",
        "at most " + c.maxEjected + " ejected at once (" + c.ejections + " ejections); at least " + c.minPickable
            + " pickable",
        pass);
    assertEquals(1, c.maxEjected.get(), "ejected at once");
    assertTrue(c.minPickable.get() >= 4, "pickable: " + c.minPickable);
  }

  @Test
  void neverTheLastPickableServer() throws IOException {
    Counts c = run(2, 2, 100);
    boolean pass = c.minPickable.get() >= 1 && c.ejections.get() >= 1;
    ScenarioTable.record("5 last", "Ejection cap: 2 backends, both answer 500, cap 100%; " + CALLS + " calls",
        "never the last pickable server",
        "at least " + c.minPickable + " pickable; at most " + c.maxEjected + " ejected at once (" + c.ejections
            + " ejections)",
        pass);
    assertTrue(c.ejections.get() >= 1, "one was ejected");
    assertEquals(1, c.minPickable.get(), "the last pickable server stays");
  }

  /** What the listener saw: the most ejected at once, the fewest pickable, ejections in all. */
  private static final class Counts implements LoadBalancerListener {
    final Map<String, HealthState> states = new ConcurrentHashMap<>();
    final AtomicInteger maxEjected = new AtomicInteger();
    final AtomicInteger minPickable = new AtomicInteger(Integer.MAX_VALUE);
    final AtomicInteger ejections = new AtomicInteger();

    @Override
    public void onHealthChanged(String cluster, Server server, HealthState previous, HealthState current) {
      states.put(server.id(), current);
      if (current.ejected() && !previous.ejected()) {
        ejections.incrementAndGet();
      }
      int ejected = 0;
      int pickable = 0;
      for (HealthState s : states.values()) {
        ejected += s.ejected() ? 1 : 0;
        pickable += s.pickable() ? 1 : 0;
      }
      maxEjected.accumulateAndGet(ejected, Math::max);
      minPickable.accumulateAndGet(pickable, Math::min);
    }
  }

  private static Counts run(int servers, int bad, int capPercent) throws IOException {
    FakeScheduler scheduler = new FakeScheduler();
    Counts counts = new Counts();
    try (Fleet fleet = Fleet.start(Fleet.Protocol2.HTTP_1_1, servers)) {
      for (Server s : fleet.direct()) {
        counts.states.put(s.id(), HealthState.initial(true));
      }
      try (LoadBalancer lb = LoadBalancer.builder("users").servers(fleet.direct()).ticker(scheduler.ticker())
          .maxEjectionPercent(capPercent).listener(counts)
          .healthInput(OutlierDetection.builder().consecutiveFailures(3).failurePercentageEnabled(false)
              .baseEjectionTime(Duration.ofSeconds(2)).scheduler(scheduler).build())
          .build()) {
        OkHttpClient client = LbOkHttp.wrap(fleet.baseClient().build(), LbConfig.builder().cluster("users", lb)
            .retryPolicy(RetryPolicy.NONE).ticker(scheduler.ticker()).build());
        try {
          for (int i = 0; i < bad; i++) {
            fleet.backend(i).status(500);
          }
          for (int i = 0; i < CALLS; i++) {
            CallResult r = Load.execute(client, Load.get("http://users/", "s5-" + i));
            assertTrue(r.code() == 200 || r.code() == 500, String.valueOf(r));
            scheduler.advance(Duration.ofMillis(10));
          }
        } finally {
          Load.close(client);
        }
      }
    }
    return counts;
  }
}
