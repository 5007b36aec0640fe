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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Rows 8 and 8b: retry storms, with the default retry policy and no outlier detection.
 *
 * <p>Row 8: every backend answers 503, or every backend refuses connections. At 10 calls per
 * second for 12 s, 100 for 2 s and 1,000 for 1 s (open loop, each on a fresh client), the
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
  /**
   * How long each rate runs: long enough that the calls, not the few retries any client makes
   * before it learns that the whole cluster fails, decide the ratio (at 10/s, 120 calls).
   */
  private static final Duration[] DURATIONS = {
      Duration.ofSeconds(Profile.pick(12, 60)), Duration.ofSeconds(Profile.pick(2, 10)),
      Duration.ofSeconds(Profile.pick(1, 5))};

  /** One combination of fault and call mode. */
  private record Variant(Fault fault, Load.Mode mode) {}

  private static final Variant[] VARIANTS = {
      new Variant(Fault.STATUS_503, Load.Mode.EXECUTE), new Variant(Fault.STATUS_503, Load.Mode.ENQUEUE),
      new Variant(Fault.REFUSE, Load.Mode.EXECUTE), new Variant(Fault.REFUSE, Load.Mode.ENQUEUE)};

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

  @Test
  void attemptsStayWithinATenthOverCallsWhenEveryBackendFails() throws InterruptedException {
    // The 10/s runs are long and light: all four run at once, in the background, while the
    // short and heavy 100/s and 1,000/s runs take their turns. (Not the common pool: on two
    // cores it has one thread.)
    ExecutorService background = Executors.newFixedThreadPool(VARIANTS.length);
    try {
      Map<Variant, List<Future<Run>>> runs = new LinkedHashMap<>();
      for (Variant v : VARIANTS) {
        runs.put(v, new ArrayList<>());
        runs.get(v).add(background.submit(() -> run(v.fault, v.mode, 5, 5, RATES[0], DURATIONS[0])));
      }
      for (int r = 1; r < RATES.length; r++) {
        for (Variant v : VARIANTS) {
          runs.get(v).add(CompletableFuture.completedFuture(run(v.fault, v.mode, 5, 5, RATES[r], DURATIONS[r])));
        }
      }
      List<String> failures = new ArrayList<>();
      for (Variant v : VARIANTS) {
        List<String> measured = new ArrayList<>();
        boolean pass = true;
        for (Future<Run> f : runs.get(v)) {
          Run run = join(f);
          measured.add(String.format("%d/s for %d s: %d calls, %d attempts (%.2f×)", run.rate, run.calls / run.rate,
              run.calls, run.attempts, run.ratio()));
          if (run.attempts > run.calls * 1.1) {
            pass = false;
            failures.add(v + " " + run.rate + "/s: " + run.attempts + " attempts for " + run.calls + " calls");
          }
        }
        ScenarioTable.record("8 " + v.fault.label() + " " + v.mode.name().toLowerCase(),
            "Retry storm: every backend " + (v.fault == Fault.STATUS_503 ? "answers 503" : "refuses connections")
                + "; default retry policy; " + v.mode.name().toLowerCase(),
            "server attempts <= 1.1 × client calls at 10, 100 and 1,000 calls/s",
            String.join("; ", measured), pass);
      }
      assertEquals(List.of(), failures);
    } finally {
      background.shutdownNow();
      background.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private static Run join(Future<Run> f) throws InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
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
    assertTrue(run.calls > 0);
  }

  /**
   * Row 8b, burst: one backend of five black-holed (no outlier detection), 300 GETs at once. The
   * 60 attempts on the black hole time out together after 2 s; their retries on the four healthy
   * backends must still be allowed.
   */
  @Test
  void retriesStillRouteAroundABlackHoleAfterABurst() throws IOException, InterruptedException {
    try (Fleet fleet = Fleet.start(Fleet.Protocol2.HTTP_1_1, 5);
        LoadBalancer lb = LoadBalancer.builder("users").servers(fleet.servers()).build()) {
      fleet.proxy(0).blackHole();
      OkHttpClient client = LbOkHttp.wrap(fleet.baseClient().build(), LbConfig.builder().cluster("users", lb)
          .callTimeout(Duration.ofSeconds(10))
          .attemptTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2)).build());
      try {
        List<CallResult> results = Load.closedLoop(client, Load.Mode.EXECUTE, 300, 300,
            i -> Load.get("http://users/", "s8b-burst-" + i), Duration.ofSeconds(30));
        long failed = results.stream().filter(r -> !r.ok()).count();
        ScenarioTable.record("8b burst", "Partial outage: 1 of 5 backends black-holed (2 s read timeout), no outlier"
                + " detection; 300 GETs at once, execute",
            "0 failed idempotent calls", failed + " failed; " + Load.summary(results), failed == 0);
        assertEquals(0, failed, Load.summary(results));
      } finally {
        Load.close(client);
      }
    }
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
