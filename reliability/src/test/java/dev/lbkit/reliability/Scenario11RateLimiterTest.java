package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbException;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.RateLimit;
import dev.lbkit.testing.FakeTicker;
import dev.lbkit.testing.TestBackends;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Row 11: each {@link RateLimit.Algorithm} under 8 racing threads, through the real client to a
 * real loopback backend, on an injected clock ({@link LbConfig.Builder#ticker}).
 *
 * <p>The clock moves only between phases: in each phase the 8 threads send {@value #DEMAND}
 * calls at once, all at the same instant, so every grant's time is known exactly; then the clock
 * advances by a random step of 1 to 400 ms (seeded). The demand of every phase exceeds what any
 * limit can grant in it, so each limit is measured at saturation. Grants are counted twice: calls
 * that succeeded, and requests the backend received; refusals must all be {@link
 * LbException.Reason#RATE_LIMITED}.
 *
 * <p>Checks, with {@code L} permits per period {@code P}:
 * <ul>
 *   <li>token bucket: grants in any interval {@code [t_i, t_j]} ≤ {@code L + L × (t_j − t_i) / P};
 *       and each phase grants exactly what an ideal bucket holds (burst {@code L}, continuous
 *       refill), since demand always exceeds it;
 *   <li>fixed window: exactly {@code L} grants in every window the run visits;
 *   <li>sliding log: at most {@code L} grants in every period {@code (t − P, t]}, and exactly
 *       {@code L} in the period ending at each phase that refused a call;
 *   <li>approximate sliding window: each phase grants exactly what its documented estimate
 *       {@code previous × (1 − elapsed/P) + current < L} admits, and no true sliding period sees
 *       {@code 2 L} grants or more, the documented worst case.
 * </ul>
 */
class Scenario11RateLimiterTest {

  private static final int THREADS = 8;
  private static final int DEMAND = 24;
  private static final int PERMITS = 20;
  private static final long PERIOD = TimeUnit.SECONDS.toNanos(1);
  private static final int PHASES = (int) Profile.pick(60, 600);

  private static TestBackends backends;
  private static ExecutorService pool;

  @BeforeAll
  static void start() throws IOException {
    backends = TestBackends.start(1);
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
    backends.close();
  }

  @Test
  void tokenBucketGrantsAtMostBurstPlusRateTimesTheInterval() throws Exception {
    List<Phase> phases = run(RateLimit.Algorithm.TOKEN_BUCKET);
    long worstExcess = Long.MIN_VALUE;
    for (int i = 0; i < phases.size(); i++) {
      long sum = 0;
      for (int j = i; j < phases.size(); j++) {
        sum += phases.get(j).granted;
        // sum ≤ L + L × T / P, in integers: sum × P ≤ L × P + L × T.
        long excess = sum * PERIOD - (PERMITS * PERIOD + PERMITS * (phases.get(j).at - phases.get(i).at));
        worstExcess = Math.max(worstExcess, excess);
      }
    }
    List<String> mismatches = new ArrayList<>();
    // The ideal bucket in units of 1/P of a token, so that refill is exact.
    long units = PERMITS * PERIOD;
    long last = phases.get(0).at;
    for (Phase p : phases) {
      units = Math.min(PERMITS * PERIOD, units + (p.at - last) * PERMITS);
      last = p.at;
      long expected = Math.min(DEMAND, units / PERIOD);
      units -= expected * PERIOD;
      if (p.granted != expected) {
        mismatches.add(p + " expected " + expected);
      }
    }
    boolean pass = worstExcess <= 0 && mismatches.isEmpty();
    ScenarioTable.record("11 token bucket", "token bucket " + PERMITS + "/s, 8 threads, " + phases.size() + " phases",
        "grants in any interval T ≤ burst + rate × T; each phase = ideal bucket",
        "max over intervals of grants − (burst + rate × T) = " + ceilDiv(worstExcess, PERIOD) + "; "
            + mismatches.size() + " phases off the ideal bucket; " + granted(phases) + " grants", pass);
    assertTrue(worstExcess <= 0, "an interval got more than burst + rate × T: excess " + worstExcess + " / P");
    assertEquals(List.of(), mismatches);
  }

  @Test
  void fixedWindowGrantsExactlyTheLimitInEveryWindow() throws Exception {
    List<Phase> phases = run(RateLimit.Algorithm.FIXED_WINDOW);
    TreeMap<Long, Long> perWindow = new TreeMap<>();
    for (Phase p : phases) {
      perWindow.merge(Math.floorDiv(p.at, PERIOD), (long) p.granted, Long::sum);
    }
    List<String> off = new ArrayList<>();
    perWindow.forEach((w, g) -> {
      if (g != PERMITS) {
        off.add("window " + w + ": " + g);
      }
    });
    boolean pass = off.isEmpty();
    ScenarioTable.record("11 fixed window", "fixed window " + PERMITS + "/s, 8 threads, " + phases.size() + " phases",
        "exactly L = " + PERMITS + " per window",
        perWindow.size() + " windows, grants per window min " + perWindow.values().stream().mapToLong(Long::longValue).min().orElse(0)
            + " max " + perWindow.values().stream().mapToLong(Long::longValue).max().orElse(0), pass);
    assertEquals(List.of(), off, "windows not granting exactly " + PERMITS);
  }

  @Test
  void slidingLogGrantsAtMostTheLimitInEveryPeriodAndExactlyItWhenRefusing() throws Exception {
    List<Phase> phases = run(RateLimit.Algorithm.SLIDING_WINDOW);
    long max = 0;
    List<String> over = new ArrayList<>();
    List<String> under = new ArrayList<>();
    for (int j = 0; j < phases.size(); j++) {
      long inPeriod = grantsInPeriodEndingAt(phases, j);
      max = Math.max(max, inPeriod);
      if (inPeriod > PERMITS) {
        over.add(phases.get(j) + ": " + inPeriod + " in the period ending here");
      }
      if (phases.get(j).refused > 0 && inPeriod != PERMITS) {
        under.add(phases.get(j) + ": refused with only " + inPeriod + " in the period ending here");
      }
    }
    boolean pass = over.isEmpty() && under.isEmpty();
    ScenarioTable.record("11 sliding log", "exact sliding log " + PERMITS + "/s, 8 threads, " + phases.size() + " phases",
        "≤ L in every sliding period; = L whenever demand exceeds it",
        "max " + max + " in a period; " + over.size() + " periods over L; " + under.size() + " refusals below L", pass);
    assertEquals(List.of(), over);
    assertEquals(List.of(), under);
  }

  @Test
  void approximateSlidingWindowStaysWithinItsDocumentedError() throws Exception {
    List<Phase> phases = run(RateLimit.Algorithm.SLIDING_WINDOW_APPROXIMATE);
    List<String> off = new ArrayList<>();
    Map<Long, Long> perWindow = new HashMap<>();
    long maxInPeriod = 0;
    for (int j = 0; j < phases.size(); j++) {
      Phase p = phases.get(j);
      long w = Math.floorDiv(p.at, PERIOD);
      long previous = perWindow.getOrDefault(w - 1, 0L);
      long current = perWindow.getOrDefault(w, 0L);
      long elapsed = p.at - w * PERIOD;
      // Admitted while previous × (P − elapsed) + current × P < L × P (RateLimit's javadoc).
      long expected = 0;
      while (expected < DEMAND && previous * (PERIOD - elapsed) + (current + expected) * PERIOD < PERMITS * PERIOD) {
        expected++;
      }
      if (p.granted != expected) {
        off.add(p + " expected " + expected + " (previous " + previous + ", current " + current + ")");
      }
      perWindow.merge(w, (long) p.granted, Long::sum);
      maxInPeriod = Math.max(maxInPeriod, grantsInPeriodEndingAt(phases, j));
    }
    boolean pass = off.isEmpty() && maxInPeriod < 2L * PERMITS;
    ScenarioTable.record("11 approximate", "approximate sliding window " + PERMITS + "/s, 8 threads, " + phases.size() + " phases",
        "each phase = the documented two-window estimate; < 2 L in any sliding period",
        off.size() + " phases off the estimate; max " + maxInPeriod + " in a sliding period", pass);
    assertEquals(List.of(), off);
    assertTrue(maxInPeriod < 2L * PERMITS, "a sliding period got " + maxInPeriod);
  }

  private static long grantsInPeriodEndingAt(List<Phase> phases, int j) {
    long sum = 0;
    for (int i = j; i >= 0 && phases.get(j).at - phases.get(i).at < PERIOD; i--) {
      sum += phases.get(i).granted;
    }
    return sum;
  }

  private static long granted(List<Phase> phases) {
    return phases.stream().mapToLong(p -> p.granted).sum();
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  /** Runs the phases against a fresh client limited by {@code algorithm}; checks the counts agree. */
  private static List<Phase> run(RateLimit.Algorithm algorithm) throws Exception {
    FakeTicker ticker = new FakeTicker();
    // Start on a window boundary plus a little, so that the first window is a whole one.
    ticker.advance(Duration.ofNanos(10 * PERIOD - ticker.nanoTime() % PERIOD));
    LoadBalancer lb = LoadBalancer.builder("limited").algorithm(Algorithms.roundRobin())
        .servers(backends.servers()).build();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().ticker(ticker)
        .cluster("limited", lb)
        .rateLimit(RateLimit.builder(algorithm, PERMITS, Duration.ofNanos(PERIOD)).build())
        .build());
    Random random = new Random(11);
    List<Phase> phases = new ArrayList<>();
    int before = backends.requests();
    try {
      for (int n = 0; n < PHASES; n++) {
        if (n > 0) {
          ticker.advance(Duration.ofMillis(1 + random.nextInt(400)));
        }
        phases.add(phase(client, ticker.nanoTime()));
      }
    } finally {
      lb.close();
      client.connectionPool().evictAll();
    }
    long granted = granted(phases);
    assertEquals(granted, backends.requests() - before, algorithm + ": requests the backend received");
    assertEquals(PHASES * (long) DEMAND, granted + phases.stream().mapToLong(p -> p.refused).sum(),
        algorithm + ": every call granted or refused as rate limited");
    return phases;
  }

  private static Phase phase(OkHttpClient client, long at) throws Exception {
    List<Callable<Boolean>> calls = new ArrayList<>();
    for (int i = 0; i < DEMAND; i++) {
      calls.add(() -> {
        try (Response r = client.newCall(new Request.Builder().url("http://limited/").build()).execute()) {
          assertEquals(200, r.code());
          r.body().string();
          return true;
        } catch (LbException e) {
          assertEquals(LbException.Reason.RATE_LIMITED, e.reason(), e.getMessage());
          return false;
        }
      });
    }
    int granted = 0;
    for (Future<Boolean> f : pool.invokeAll(calls, 60, TimeUnit.SECONDS)) {
      if (f.get()) {
        granted++;
      }
    }
    return new Phase(at, granted, DEMAND - granted);
  }

  /** What one phase, at clock reading {@code at}, got. */
  private record Phase(long at, int granted, int refused) {
    @Override
    public String toString() {
      return "phase at " + TimeUnit.NANOSECONDS.toMillis(at) + " ms: " + granted + " granted, " + refused + " refused";
    }
  }
}
