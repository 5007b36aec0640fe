package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.okhttp.ClusterCounters;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import okhttp3.OkHttpClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Rows 8 and 8b: retry storms, with the default retry policy and no outlier detection.
 *
 * <p>Row 8: every backend answers 503, or every backend refuses connections. At 10, 100 and
 * 1,000 calls per second (open loop, each rate on a fresh client, the three at once), the
 * attempts that reach the servers stay within 1.1 × the client's calls: retries must not
 * multiply an outage. Attempts are counted by the backends for 503 and by the client's cluster
 * counters for refused connections (a refused connection reaches no backend).
 *
 * <p>Row 8b: one backend of five answers 503, or refuses connections; at 100 calls per second no
 * idempotent call fails: whatever stops retries in a cluster-wide outage must still let them
 * route around a partial one.
 *
 * <p>Through {@code execute()} and {@code enqueue()}.
 */
class Scenario08RetryStormTest {
  private static final int[] RATES = {10, 100, 1000};
  private static final Duration[] DURATIONS = {Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofSeconds(1)};

  /** A fault applied to one backend of a fleet. */
  private enum Fault {
    STATUS_503,
    REFUSE;

    void apply(Fleet fleet, int i) {
      if (this == STATUS_503) {
        fleet.status(i, 503);
      } else {
        fleet.proxy(i).refuse();
      }
    }

    String label() {
      return this == STATUS_503 ? "503" : "refuse";
    }
  }

  /** Calls made and attempts counted in one run. */
  private record Run(int rate, int calls, long attempts, long failed, String summary) {
    double ratio() {
      return (double) attempts / calls;
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"STATUS_503, EXECUTE", "STATUS_503, ENQUEUE", "REFUSE, EXECUTE", "REFUSE, ENQUEUE"})
  void attemptsStayWithinATenthOverCallsWhenEveryBackendFails(Fault fault, Load.Mode mode) {
    List<CompletableFuture<Run>> runs = new ArrayList<>();
    for (int r = 0; r < RATES.length; r++) {
      int rate = RATES[r];
      Duration duration = DURATIONS[r];
      runs.add(CompletableFuture.supplyAsync(() -> run(fault, mode, 5, 5, rate, duration)));
    }
    List<String> measured = new ArrayList<>();
    boolean pass = true;
    List<Run> done = new ArrayList<>();
    for (CompletableFuture<Run> f : runs) {
      Run run = f.join();
      done.add(run);
      measured.add(String.format("%d/s: %d calls, %d attempts (%.2f×)", run.rate, run.calls, run.attempts, run.ratio()));
      pass &= run.attempts <= run.calls * 1.1;
    }
    ScenarioTable.record("8 " + fault.label() + " " + mode.name().toLowerCase(),
        "Retry storm: every backend " + (fault == Fault.STATUS_503 ? "answers 503" : "refuses connections")
            + "; default retry policy; " + mode.name().toLowerCase(),
        "server attempts <= 1.1 × client calls at 10, 100 and 1,000 calls/s",
        String.join("; ", measured), pass);
    for (Run run : done) {
      assertTrue(run.attempts <= run.calls * 1.1, run.rate + "/s: " + run.attempts + " attempts for " + run.calls + " calls");
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"STATUS_503, EXECUTE", "STATUS_503, ENQUEUE", "REFUSE, EXECUTE", "REFUSE, ENQUEUE"})
  void retriesStillRouteAroundOneBadBackend(Fault fault, Load.Mode mode) {
    Run run = run(fault, mode, 5, 1, 100, Duration.ofSeconds(2));
    ScenarioTable.record("8b " + fault.label() + " " + mode.name().toLowerCase(),
        "Partial outage: 1 of 5 backends " + (fault == Fault.STATUS_503 ? "answers 503" : "refuses connections")
            + ", no outlier detection; 100 calls/s, " + mode.name().toLowerCase(),
        "0 failed idempotent calls",
        run.failed + " failed; " + run.summary + String.format("; %d attempts (%.2f×)", run.attempts, run.ratio()),
        run.failed == 0);
    assertEquals(0, run.failed, run.summary);
  }

  /** {@code bad} of {@code servers} backends fail with {@code fault}; GETs at {@code rate} for {@code duration}. */
  private static Run run(Fault fault, Load.Mode mode, int servers, int bad, int rate, Duration duration) {
    try (Fleet fleet = Fleet.start(Fleet.Protocol2.HTTP_1_1, servers);
        LoadBalancer lb = LoadBalancer.builder("users").servers(fleet.servers()).build()) {
      for (int i = 0; i < bad; i++) {
        fault.apply(fleet, i);
      }
      OkHttpClient client = LbOkHttp.wrap(fleet.baseClient().build(), LbConfig.builder().cluster("users", lb).build());
      try {
        List<CallResult> results = Load.openLoop(client, mode, rate, duration,
            i -> Load.get("http://users/", "s8-" + i), Duration.ofSeconds(30));
        ClusterCounters counters = LbOkHttp.counters(client).get("users");
        long attempts = fault == Fault.STATUS_503 ? fleet.requests() : counters.attempts();
        long failed = results.stream().filter(r -> !r.ok()).count();
        return new Run(rate, results.size(), attempts, failed, Load.summary(results));
      } finally {
        Load.close(client);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
