package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.RetryPolicy;
import dev.lbkit.testing.FakeScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Row 3: one backend of five answers 500. Outlier detection (5 consecutive failures) ejects it
 * on exactly the fifth 500 it answers, and from then on it gets at most 1% of the traffic, its
 * re-admissions after each backed-off ejection time included. Health timers and the ejection
 * clock run in virtual time: 3,000 calls, 10 virtual ms apart (100 calls/s), span 30 s, so the
 * backend is re-admitted after its first 10 s ejection and fails its way out again (5 more
 * failures, then 20 s). The share depends on the call rate: each re-admission costs 5 failures,
 * so at 20 calls/s the first 10 s cycle alone would be 2.5%.
 */
class Scenario03OutlierEjectionTest {
  private static final int CONSECUTIVE = 5;
  private static final int CALLS = 3000;

  @Test
  void ejectedAfterExactlyTheConfiguredFailuresThenStarved() throws IOException {
    FakeScheduler scheduler = new FakeScheduler();
    try (Fleet fleet = Fleet.start(Fleet.Protocol2.HTTP_1_1, 5);
        LoadBalancer lb = LoadBalancer.builder("users").servers(fleet.direct()).ticker(scheduler.ticker())
            .healthInput(OutlierDetection.builder().consecutiveFailures(CONSECUTIVE).failurePercentageEnabled(false)
                .scheduler(scheduler).build())
            .build()) {
      // 500 is not a retryable status: every 500 reaches the caller, and counts once.
      OkHttpClient client = LbOkHttp.wrap(fleet.baseClient().build(), LbConfig.builder().cluster("users", lb)
          .retryPolicy(RetryPolicy.NONE).ticker(scheduler.ticker()).build());
      CountingBackend bad = fleet.backend(3).status(500);
      Server badServer = fleet.direct().get(3);
      try {
        int answeredAtEjection = -1;
        int callsAfter = 0;
        int ejections = 0;
        boolean wasEjected = false;
        for (int i = 0; i < CALLS; i++) {
          CallResult r = Load.execute(client, Load.get("http://users/", "s3-" + i));
          assertTrue(r.code() == 200 || r.code() == 500, String.valueOf(r));
          boolean ejected = view(lb, badServer).health().ejected();
          if (ejected && !wasEjected) {
            ejections++;
            if (answeredAtEjection < 0) {
              answeredAtEjection = bad.requests();
            }
          }
          wasEjected = ejected;
          if (answeredAtEjection >= 0) {
            callsAfter++;
          }
          scheduler.advance(Duration.ofMillis(10));
        }
        int after = bad.requests() - answeredAtEjection;
        double share = (double) after / callsAfter;
        boolean pass = answeredAtEjection == CONSECUTIVE && share <= 0.01;
        ScenarioTable.record("3", "One backend of 5 answers 500; " + CALLS + " calls at 100/s over 30 virtual seconds",
            "ejected on exactly the 5th consecutive failure (virtual clock); <= 1% of the traffic after that",
            "ejected after " + answeredAtEjection + " failures; then " + after + " of " + callsAfter + " calls ("
                + String.format("%.2f%%", share * 100) + "), over " + ejections + " ejections",
            pass);
        assertEquals(CONSECUTIVE, answeredAtEjection);
        assertTrue(share <= 0.01, after + " of " + callsAfter);
        assertTrue(ejections >= 2, "re-admitted and ejected again within 30 s: " + ejections);
      } finally {
        Load.close(client);
      }
    }
  }

  static ServerView view(LoadBalancer lb, Server server) {
    List<ServerView> views = lb.servers();
    for (ServerView v : views) {
      if (v.server().id().equals(server.id())) {
        return v;
      }
    }
    throw new AssertionError("no view of " + server.id() + " in " + views);
  }
}
