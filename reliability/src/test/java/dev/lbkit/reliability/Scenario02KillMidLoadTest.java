package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Row 2: one of five backends is killed mid-load (its proxy closes the port and every
 * connection, so pooled connections go stale), then restarted on the same port, under 8
 * concurrent callers sending GETs and POSTs. No idempotent request fails; no POST is executed
 * twice, counted by the backends. Through {@code execute()} and {@code enqueue()}, over HTTP/1.1
 * and h2c. The kill can cut a response after its headers; the retry policy reads small bodies in
 * full ({@link RetryPolicy.Builder#retryTruncatedBodies(long)}) so that such a GET is retried
 * too, where by default its caller's read would fail.
 */
class Scenario02KillMidLoadTest {
  private static final int CALLS = 2000;
  private static final int KILL_AT = 600;
  private static final int RESTART_AT = 1300;
  /**
   * The default policy, plus bodies up to 64 KiB read in full: the kill may cut a response after
   * its headers, and only a body read before it is handed back can be retried.
   */
  private static final RetryPolicy RETRY_CUT_BODIES = RetryPolicy.builder().retryTruncatedBodies(64 * 1024).build();

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"EXECUTE, HTTP_1_1", "ENQUEUE, HTTP_1_1", "EXECUTE, H2C", "ENQUEUE, H2C"})
  void noIdempotentRequestFailsAndNoPostRunsTwice(Load.Mode mode, Fleet.Protocol2 protocol)
      throws IOException, InterruptedException {
    try (Fleet fleet = Fleet.start(protocol, 5);
        LoadBalancer lb = LoadBalancer.builder("users").servers(fleet.servers())
            .healthInput(OutlierDetection.builder().build()).build()) {
      OkHttpClient client = LbOkHttp.wrap(fleet.baseClient().build(),
          LbConfig.builder().cluster("users", lb).retryPolicy(RETRY_CUT_BODIES).build());
      FaultProxy victim = fleet.proxy(2);
      AtomicBoolean killed = new AtomicBoolean();
      AtomicBoolean restarted = new AtomicBoolean();
      try {
        List<CallResult> results = Load.closedLoop(client, mode, 8, CALLS, i -> {
          if (i == KILL_AT && killed.compareAndSet(false, true)) {
            victim.kill();
          } else if (i == RESTART_AT && restarted.compareAndSet(false, true)) {
            victim.restart();
          }
          String id = "s2-" + i;
          return i % 4 == 3 ? Load.post("http://users/", id) : Load.get("http://users/", id);
        }, Duration.ofSeconds(60));
        long failedGets = results.stream().filter(r -> r.method().equals("GET") && !r.ok()).count();
        long failedPosts = results.stream().filter(r -> r.method().equals("POST") && !r.ok()).count();
        List<String> twice = fleet.ledger.duplicates("POST");
        String variant = "2 " + mode.name().toLowerCase() + (protocol == Fleet.Protocol2.H2C ? " h2c" : "");
        ScenarioTable.record(variant, "Kill 1 of 5 backends mid-load, then restart it; 8 callers, "
                + CALLS + " calls (1 in 4 a POST), " + mode.name().toLowerCase() + ", " + protocol
                + ", bodies up to 64 KiB read in full (retryTruncatedBodies)",
            "0 failed idempotent requests; 0 POSTs executed twice (by the backends' count)",
            failedGets + " GETs failed; " + twice.size() + " POSTs executed twice; " + failedPosts
                + " POSTs failed (allowed: a POST that may have been sent is not resent); " + Load.summary(results),
            failedGets == 0 && twice.isEmpty());
        assertEquals(0, failedGets, firstFailure(results));
        assertEquals(List.of(), twice);
      } finally {
        Load.close(client);
      }
    }
  }

  static String firstFailure(List<CallResult> results) {
    for (CallResult r : results) {
      if (r.method().equals("GET") && !r.ok()) {
        return r.id() + " " + r.code() + " " + r.error();
      }
    }
    return "none";
  }
}
