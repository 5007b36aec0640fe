package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Row 1: 5 backends, 10^5 requests (10^6 in the soak) from 8 threads with the default
 * configuration: no errors, and each backend within 2% of a fifth, counted by the backends. No
 * fault is injected, so the client talks to the backends directly: the proxy's two extra hops
 * would double the row's time on a 2-core machine.
 */
class Scenario01DistributionTest {

  @Test
  void everyRequestAnsweredAndSpreadEvenly() throws IOException, InterruptedException {
    int calls = (int) Profile.pick(100_000, 1_000_000);
    try (Fleet fleet = Fleet.start(Fleet.Protocol2.HTTP_1_1, 5);
        LoadBalancer lb = LoadBalancer.builder("users").servers(fleet.direct()).build()) {
      OkHttpClient client = LbOkHttp.wrap(fleet.baseClient().build(), LbConfig.builder().cluster("users", lb).build());
      try {
        long t0 = System.nanoTime();
        List<CallResult> results = Load.closedLoop(client, Load.Mode.EXECUTE, 8, calls,
            i -> Load.get("http://users/", "s1-" + i), Duration.ofMinutes(Profile.pick(2, 20)));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        long errors = results.stream().filter(r -> !r.ok()).count();
        List<Integer> counts = new ArrayList<>();
        double worst = 0;
        for (int i = 0; i < 5; i++) {
          counts.add(fleet.requests(i));
          worst = Math.max(worst, Math.abs(fleet.requests(i) - calls / 5.0) / (calls / 5.0));
        }
        boolean pass = errors == 0 && worst <= 0.02 && fleet.ledger.distinct() == calls && fleet.ledger.total() == calls;
        ScenarioTable.record("1", "5 backends, " + calls + " requests, 8 threads (execute)",
            "0 errors; each backend's count within 2% of a fifth",
            String.format("%d errors (%s); counts %s, worst %.2f%% off; %d distinct ids received, %d in all; %d s",
                errors, Load.summary(results), counts, worst * 100, fleet.ledger.distinct(), fleet.ledger.total(), seconds),
            pass);
        assertEquals(0, errors, Load.summary(results));
        assertTrue(worst <= 0.02, "counts " + counts);
        assertEquals(calls, fleet.ledger.distinct(), "every request reached a backend");
        assertEquals(calls, fleet.ledger.total(), "none twice");
      } finally {
        Load.close(client);
      }
    }
  }
}
