package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbException;
import dev.lbkit.okhttp.LbOkHttp;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Row 6: every backend of the cluster refuses connections (each proxy's port is closed), with
 * the defaults of the README's recipe (outlier detection, the default retry policy). Each of
 * 210 calls, one after the other, fails with a typed {@link IOException} whose message names the
 * cluster; from the 11th on, the 99th percentile of the time to fail is at most 50 ms (the
 * client has learnt that the cluster is down: it must not keep backing off between retries that
 * cannot succeed); no call hangs. Through {@code execute()} and {@code enqueue()}.
 */
class Scenario06AllDownTest {
  private static final int CALLS = 210;
  private static final long P99_BOUND_MS = 50;

  @ParameterizedTest
  @EnumSource(Load.Mode.class)
  void failsFastWithATypedErrorNamingTheCluster(Load.Mode mode) throws IOException, InterruptedException {
    try (Fleet fleet = Fleet.start(Fleet.Protocol2.HTTP_1_1, 5);
        LoadBalancer lb = LoadBalancer.builder("users").servers(fleet.servers())
            .healthInput(OutlierDetection.builder().build()).build()) {
      fleet.proxies().forEach(FaultProxy::refuse);
      OkHttpClient client = LbOkHttp.wrap(fleet.baseClient().build(), LbConfig.builder().cluster("users", lb)
          .callTimeout(Duration.ofSeconds(5)).build());
      try {
        List<CallResult> results = Load.closedLoop(client, mode, 1, CALLS, i -> Load.get("http://users/", "s6-" + i),
            Duration.ofSeconds(60));
        long hung = results.stream().filter(CallResult::hungUp).count();
        List<String> untyped = new ArrayList<>();
        for (CallResult r : results) {
          IOException e = r.error();
          boolean typed = e != null && (e instanceof LbException || e instanceof ConnectException)
              && e.getMessage() != null && e.getMessage().contains("users");
          if (!typed && untyped.size() < 3) {
            untyped.add(r.id() + ": " + (e == null ? "status " + r.code() : e.getClass().getName() + ": " + e.getMessage()));
          }
        }
        List<Long> tail = new ArrayList<>();
        int slowest = 10;
        for (int i = 10; i < CALLS; i++) {
          tail.add(results.get(i).nanos());
          slowest = results.get(i).nanos() > results.get(slowest).nanos() ? i : slowest;
        }
        tail.sort(null);
        long p99 = TimeUnit.NANOSECONDS.toMillis(tail.get((int) Math.ceil(tail.size() * 0.99) - 1));
        long p50 = TimeUnit.NANOSECONDS.toMillis(tail.get(tail.size() / 2));
        long first = TimeUnit.NANOSECONDS.toMillis(results.get(0).nanos());
        boolean pass = hung == 0 && untyped.isEmpty() && p99 <= P99_BOUND_MS;
        ScenarioTable.record("6 " + mode.name().toLowerCase(),
            "All 5 backends refuse connections; " + CALLS + " calls one after another, " + mode.name().toLowerCase(),
            "a typed IOException naming the cluster; from the 11th call, p99 of the time to fail <= 50 ms; 0 hangs",
            untyped.size() + " untyped; p99 " + p99 + " ms, p50 " + p50 + " ms, slowest call #" + (slowest + 1) + " " + TimeUnit.NANOSECONDS.toMillis(results.get(slowest).nanos())
                + " ms (first call " + first + " ms); " + hung
                + " hung; e.g. " + example(results),
            pass);
        assertEquals(0, hung, "hung calls");
        assertEquals(List.of(), untyped);
        assertTrue(p99 <= P99_BOUND_MS, "p99 " + p99 + " ms, p50 " + p50 + " ms");
      } finally {
        Load.close(client);
      }
    }
  }

  private static String example(List<CallResult> results) {
    IOException e = results.get(results.size() - 1).error();
    return e == null ? "none" : e.getClass().getSimpleName() + " \"" + e.getMessage() + "\"";
  }
}
