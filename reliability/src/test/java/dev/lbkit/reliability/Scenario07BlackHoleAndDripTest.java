package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Row 7: every backend of a cluster black-holes (accepts, never answers) or drips its answer at
 * one byte per second, so neither the read timeout (10 s, never reached while a byte arrives
 * each second) nor a retry can end a call: only the call timeout (2 s) does. Every call ends
 * within the call timeout + 10%, measured from the caller's side (from {@code newCall} to the
 * failure in hand). Both faults run at once, on two clusters, 4 concurrent calls each. Through
 * {@code execute()} and {@code enqueue()}, over HTTP/1.1 and h2c.
 */
class Scenario07BlackHoleAndDripTest {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
  private static final long BOUND_NANOS = CALL_TIMEOUT.toNanos() * 11 / 10;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"EXECUTE, HTTP_1_1", "ENQUEUE, HTTP_1_1", "EXECUTE, H2C", "ENQUEUE, H2C"})
  void everyCallEndsWithinTheCallTimeout(Load.Mode mode, Fleet.Protocol2 protocol)
      throws InterruptedException, ExecutionException {
    // Not the common pool: on two cores it has one thread, and the two would run in turn.
    ExecutorService both = Executors.newFixedThreadPool(2);
    try {
      Future<String> blackHole = both.submit(() -> run(mode, protocol, "black hole", FaultProxy::blackHole));
      Future<String> drip = both.submit(() -> run(mode, protocol, "1 byte/s drip", FaultProxy::drip));
      assertEquals("", blackHole.get() + drip.get());
    } finally {
      both.shutdownNow();
    }
  }

  /** Runs one fault; returns what failed, or "" when the threshold holds. */
  private static String run(Load.Mode mode, Fleet.Protocol2 protocol, String fault, Consumer<FaultProxy> apply) {
    try (Fleet fleet = Fleet.start(protocol, 3);
        LoadBalancer lb = LoadBalancer.builder("users").servers(fleet.servers()).build()) {
      fleet.proxies().forEach(apply);
      OkHttpClient client = LbOkHttp.wrap(fleet.baseClient().build(), LbConfig.builder().cluster("users", lb)
          .callTimeout(CALL_TIMEOUT).build());
      try {
        List<CallResult> results = Load.closedLoop(client, mode, 4, 4,
            i -> Load.get("http://users/", "s7-" + fault + "-" + i), Duration.ofSeconds(30));
        long worst = results.stream().mapToLong(CallResult::nanos).max().orElseThrow();
        long failed = results.stream().filter(r -> r.error() != null).count();
        boolean pass = failed == results.size() && worst <= BOUND_NANOS;
        String variant = mode.name().toLowerCase() + (protocol == Fleet.Protocol2.H2C ? " h2c" : "");
        ScenarioTable.record("7 " + fault + " " + variant,
            "Every backend: " + fault + "; call timeout 2 s; 4 concurrent calls, " + variant,
            "every call ends, failed, within the call timeout + 10% (2.2 s, caller's clock)",
            "slowest " + TimeUnit.NANOSECONDS.toMillis(worst) + " ms; " + Load.summary(results)
                + "; e.g. " + results.get(0).error(),
            pass);
        assertEquals(results.size(), failed, fault + ": " + Load.summary(results));
        assertTrue(worst <= BOUND_NANOS, fault + ": slowest " + TimeUnit.NANOSECONDS.toMillis(worst) + " ms");
        return "";
      } finally {
        Load.close(client);
      }
    } catch (IOException | InterruptedException | AssertionError e) {
      return e.toString();
    }
  }
}
