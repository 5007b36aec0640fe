package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.api.Server;
import dev.lbkit.health.ActiveHealthCheck;
import dev.lbkit.health.HealthChecks;
import dev.lbkit.testing.FakeScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Row 9: a flapping health check. Backend 0's {@code /health} answers 200 or 503 by a seeded
 * random sequence (about one flip in two checks), checked by a real HTTP active check with rise
 * 2 and fall 3 on a virtual clock (one check per 2 virtual seconds, each awaited). Every state
 * change the balancer announces comes after at least {@code fall} failures or {@code rise}
 * passes in a row, as the backend answered them (the first check decides alone), and the
 * changes are exactly those the rise/fall rule gives for the answered sequence.
 */
class Scenario09FlappingHealthTest {
  private static final int RISE = 2;
  private static final int FALL = 3;
  private static final int CHECKS = 60;
  private static final Duration INTERVAL = Duration.ofSeconds(2);
  /**
   * A round of checks is over when the three servers' next checks (due in 2 s) are all that is
   * queued: while a check is out, its timeout (due in 1 s) is queued instead.
   */
  private static final Duration QUIET = Duration.ofMillis(1500);

  /** A state change of the flapping server: after which check's answer (1-based), and to what. */
  private record Change(int afterAnswer, ActiveHealth verdict) {}

  @Test
  void noStateChangeFasterThanRiseAndFallAllow() throws IOException, InterruptedException {
    FakeScheduler scheduler = new FakeScheduler();
    Random random = new Random(9);
    boolean[] pattern = new boolean[CHECKS + 10];
    for (int i = 0; i < pattern.length; i++) {
      pattern[i] = random.nextInt(100) < 55;
    }
    AtomicInteger asked = new AtomicInteger();
    List<Change> changes = new ArrayList<>();
    try (Fleet fleet = Fleet.start(Fleet.Protocol2.HTTP_1_1, 3)) {
      CountingBackend flapping = fleet.backend(0).health(() -> pattern[asked.getAndIncrement()] ? 200 : 503);
      Server server = fleet.direct().get(0);
      // Events arrive in control-plane order, a check's verdict change just before that check's
      // result (InputControl queues them so), but possibly after the next check was answered:
      // a change is placed by the check results the balancer reported before it, not by the
      // answers the backend had sent by then.
      List<Boolean> results = new ArrayList<>();
      LoadBalancerListener listener = new LoadBalancerListener() {
        @Override
        public void onHealthChanged(String cluster, Server s, HealthState previous, HealthState current) {
          if (s.id().equals(server.id()) && previous.active() != current.active()) {
            synchronized (changes) {
              changes.add(new Change(results.size() + 1, current.active()));
            }
          }
        }

        @Override
        public void onActiveCheck(String cluster, Server s, boolean passed) {
          if (s.id().equals(server.id())) {
            synchronized (changes) {
              results.add(passed);
            }
          }
        }
      };
      try (LoadBalancer lb = LoadBalancer.builder("users").servers(fleet.direct()).ticker(scheduler.ticker())
          .listener(listener)
          .healthInput(ActiveHealthCheck.builder(HealthChecks.http().path("/health").build()).interval(INTERVAL)
              .timeout(Duration.ofSeconds(1)).jitter(Duration.ZERO).rise(RISE).fall(FALL).scheduler(scheduler).build())
          .build()) {
        scheduler.runDue();
        scheduler.awaitQuiet(3, QUIET, Duration.ofSeconds(10));
        for (int i = 1; i < CHECKS; i++) {
          scheduler.advance(INTERVAL);
          scheduler.awaitQuiet(3, QUIET, Duration.ofSeconds(10));
        }
        // The last round's events may still be queued on the control plane (bounded wait).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (resultCount(results, changes) < CHECKS && System.nanoTime() < deadline) {
          TimeUnit.MILLISECONDS.sleep(5);
        }
        assertEquals(changes.isEmpty() ? ActiveHealth.UNKNOWN : changes.get(changes.size() - 1).verdict,
            Scenario03OutlierEjectionTest.view(lb, server).health().active(), "the balancer's view ends in the last state");
      }
      List<Integer> answers = flapping.healthAnswers();
      assertEquals(CHECKS, answers.size(), "checks answered");
      synchronized (changes) {
        assertEquals(answers.stream().map(code -> code == 200).toList(), results,
            "the balancer's check results are the backend's answers, in order");
      }
      List<Change> expected = expected(answers);
      int flips = 0;
      for (int i = 1; i < answers.size(); i++) {
        flips += answers.get(i).equals(answers.get(i - 1)) ? 0 : 1;
      }
      List<String> tooFast = new ArrayList<>();
      for (Change c : changes) {
        int run = runBefore(answers, c.afterAnswer, c.verdict == ActiveHealth.HEALTHY ? 200 : 503);
        int needed = c.afterAnswer == 1 ? 1 : c.verdict == ActiveHealth.HEALTHY ? RISE : FALL;
        if (run < needed) {
          tooFast.add(c + " after " + run + " in a row");
        }
      }
      boolean pass = tooFast.isEmpty() && changes.equals(expected);
      ScenarioTable.record("9", "Flapping /health: " + CHECKS + " HTTP checks (rise " + RISE + ", fall " + FALL
              + ", virtual clock), the answer flipping " + flips + " times",
          "no state change faster than rise/fall allows; the changes are exactly the rule's",
          changes.size() + " state changes, " + tooFast.size() + " too fast; " + (changes.equals(expected)
              ? "identical to the rule's" : "the rule gives " + expected),
          pass);
      assertEquals(List.of(), tooFast);
      assertEquals(expected, changes);
      assertTrue(changes.size() >= 4, "the sequence makes it change state: " + changes);
    }
  }

  private static int resultCount(List<Boolean> results, Object lock) {
    synchronized (lock) {
      return results.size();
    }
  }

  /** The state changes that rise/fall hysteresis gives for {@code answers}. */
  private static List<Change> expected(List<Integer> answers) {
    List<Change> out = new ArrayList<>();
    ActiveHealth verdict = ActiveHealth.UNKNOWN;
    int passes = 0;
    int failures = 0;
    for (int i = 0; i < answers.size(); i++) {
      boolean ok = answers.get(i) == 200;
      passes = ok ? passes + 1 : 0;
      failures = ok ? 0 : failures + 1;
      ActiveHealth next = verdict;
      if (ok && (verdict == ActiveHealth.UNKNOWN || (verdict == ActiveHealth.UNHEALTHY && passes >= RISE))) {
        next = ActiveHealth.HEALTHY;
      } else if (!ok && (verdict == ActiveHealth.UNKNOWN || (verdict == ActiveHealth.HEALTHY && failures >= FALL))) {
        next = ActiveHealth.UNHEALTHY;
      }
      if (next != verdict) {
        out.add(new Change(i + 1, next));
        verdict = next;
      }
    }
    return out;
  }

  /** How many answers equal to {@code code} end at answer {@code end} (1-based). */
  private static int runBefore(List<Integer> answers, int end, int code) {
    int run = 0;
    for (int i = end - 1; i >= 0 && answers.get(i) == code; i--) {
      run++;
    }
    return run;
  }
}
