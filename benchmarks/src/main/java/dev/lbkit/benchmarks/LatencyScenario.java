package dev.lbkit.benchmarks;

import dev.lbkit.algorithms.LoadBalancer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.OkHttpClient;

/**
 * The "Beyond Round Robin" experiment (Linkerd, 2016) for every registered algorithm: a plain
 * program, not JMH.
 *
 * <p><b>Setup.</b> 11 in-process HTTP backends on 127.0.0.1 with the same service time (default
 * 5 ms). An open-loop generator sends a fixed rate of calls (default 500/s) through a {@link
 * LoadBalancer} over them with the OkHttp client (synchronous calls), reporting every call's outcome and
 * latency to its selection. Latency counts from each call's intended start, so coordinated
 * omission cannot hide the tail (see {@link LoadGenerator}).
 *
 * <p><b>Warm-up.</b> Five unrecorded seconds of round robin at the same rate start the harness.
 *
 * <p><b>Two conditions per algorithm.</b> {@code healthy}: every backend keeps its service time.
 * {@code one-slow}: backend 0 becomes 10× slower during the middle half of the run, [25%, 75%).
 * The measured time of each condition ({@code seconds}) is split into {@code rounds} runs that
 * alternate healthy, one slow, healthy, ..., and each condition's calls are pooled, so that a
 * burst of load from elsewhere on a shared machine falls on both conditions alike. Each run is
 * preceded by half a second, unrecorded, at the same rate, so that the algorithm's latency
 * statistics are warm. The table gives p50, p99, p99.9 and the share of calls slower than the
 * timeout (default 25 ms, five times the service time; failed calls count as over it), plus the
 * one-slow p99 as a multiple of the same algorithm's healthy p99, and the p99 and timeout share
 * of the middle half alone (the slow window of the one-slow run; the same calls' slots in the
 * healthy run).
 *
 * <p><b>Run</b> ({@code benchmarks/run.sh latency [key=value...]}; about 14 s per algorithm with the
 * defaults):
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.LatencyScenario \
 *     [algorithms=all] [seconds=6] [rate=500] [serviceMs=5] [slowFactor=10] [timeoutMs=25] [warmupSeconds=5] [rounds=2]
 * }</pre>
 *
 * Targets (issue 7): Peak EWMA keeps its one-slow p99 within 1.3× of the healthy p99; round
 * robin's one-slow p99 shows the slow backend.
 */
public final class LatencyScenario {

  /** Backends, as in the Linkerd experiment. */
  static final int BACKENDS = 11;

  /**
   * Unrecorded time at the start of every run: half a second at 500 calls/s gives the
   * algorithm 250 latency samples before measuring starts.
   */
  static final double LEAD_IN_SECONDS = 0.5;

  /** Where the slow window starts, as a fraction of the measured run. */
  static final double SLOW_FROM = 0.25;

  /** Where the slow window ends: the window is the run's middle half. */
  static final double SLOW_UNTIL = 0.75;

  private LatencyScenario() {}

  /** Runs the scenario; arguments are {@code key=value}, see the class comment. */
  public static void main(String[] args) {
    Map<String, String> opts = Args.parse(args, Map.of(
        "algorithms", "all", "seconds", "6", "rate", "500", "serviceMs", "5", "slowFactor", "10",
        "timeoutMs", "25", "warmupSeconds", "5", "rounds", "2"));
    List<BenchAlgorithms.Entry> algorithms = BenchAlgorithms.select(opts.get("algorithms"));
    double seconds = Double.parseDouble(opts.get("seconds"));
    int rate = Integer.parseInt(opts.get("rate"));
    long serviceNanos = (long) (Double.parseDouble(opts.get("serviceMs")) * 1e6);
    int slowFactor = Integer.parseInt(opts.get("slowFactor"));
    long timeoutNanos = (long) (Double.parseDouble(opts.get("timeoutMs")) * 1e6);

    int rounds = Integer.parseInt(opts.get("rounds"));
    double chunk = seconds / rounds;
    System.out.printf(Locale.ROOT,
        "Latency scenario: %d backends, %.1f ms service time, %d calls/s open loop, timeout %.0f ms;"
            + " %.0f s per condition in %d alternating runs of %.1f s; backend 0 %dx slower for [25%%, 75%%)"
            + " of each one-slow run%n",
        BACKENDS, serviceNanos / 1e6, rate, timeoutNanos / 1e6, seconds, rounds, chunk, slowFactor);
    // [healthy, one slow, healthy middle half, one-slow middle half], each pooled over the rounds.
    Map<String, LoadGenerator.Result[]> results = new LinkedHashMap<>();
    OkHttpClient client = HttpTargets.newClient();
    try (HttpBackends backends = new HttpBackends(BACKENDS, serviceNanos)) {
      warmUp(backends, client, rate, Double.parseDouble(opts.get("warmupSeconds")));
      LoadGenerator.drainErrorKinds();
      for (BenchAlgorithms.Entry entry : algorithms) {
        List<List<LoadGenerator.Result>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
            new ArrayList<>());
        for (int r = 0; r < rounds; r++) {
          LoadGenerator.Result healthy = run(entry, backends, client, rate, chunk, serviceNanos, 1);
          LoadGenerator.Result slow = run(entry, backends, client, rate, chunk, serviceNanos, slowFactor);
          System.out.printf(Locale.ROOT, "  %-24s round %d healthy:  %s%n", entry.name(), r + 1, healthy.summary());
          System.out.printf(Locale.ROOT, "  %-24s round %d one slow: %s%n", entry.name(), r + 1, slow.summary());
          parts.get(0).add(healthy);
          parts.get(1).add(slow);
          parts.get(2).add(healthy.window(SLOW_FROM, SLOW_UNTIL));
          parts.get(3).add(slow.window(SLOW_FROM, SLOW_UNTIL));
        }
        Map<String, Long> failures = LoadGenerator.drainErrorKinds();
        if (!failures.isEmpty()) {
          System.out.printf(Locale.ROOT, "  %-24s failed calls by kind: %s%n", entry.name(), failures);
        }
        LoadGenerator.Result[] pooled = new LoadGenerator.Result[4];
        for (int i = 0; i < 4; i++) {
          pooled[i] = LoadGenerator.Result.merge(parts.get(i));
        }
        results.put(entry.name(), pooled);
      }
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "| algorithm | run | p50 ms | p99 ms | p99.9 ms | > %.0f ms | p99 / healthy p99 "
        + "| middle half: p99 ms | middle half: > %.0f ms |%n", timeoutNanos / 1e6, timeoutNanos / 1e6);
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (Map.Entry<String, LoadGenerator.Result[]> e : results.entrySet()) {
      LoadGenerator.Result healthy = e.getValue()[0];
      for (int i = 0; i < 2; i++) {
        LoadGenerator.Result r = e.getValue()[i];
        LoadGenerator.Result middle = e.getValue()[i + 2];
        System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %.2f%% | %.2f× | %.2f | %.2f%% |%n",
            e.getKey(), i == 0 ? "healthy" : "one slow", r.percentileMillis(0.5), r.percentileMillis(0.99),
            r.percentileMillis(0.999), r.overPercent(timeoutNanos),
            r.percentileMillis(0.99) / healthy.percentileMillis(0.99),
            middle.percentileMillis(0.99), middle.overPercent(timeoutNanos));
      }
    }
    HttpTargets.close(client);
    System.exit(0);
  }

  /** Warms the JIT, the client's connection pool and the backends' threads; nothing is recorded. */
  static void warmUp(HttpBackends backends, OkHttpClient client, int rate, double seconds) {
    try (LoadBalancer lb = BenchServers.balancer(BenchAlgorithms.byName("round-robin").create(), backends.servers())) {
      LoadGenerator.openLoop(
          HttpTargets.balanced(client, lb, backends.servers(), BenchAlgorithms.Keys.NONE),
          rate, seconds, offset -> { }, 3.0);
    }
  }

  private static LoadGenerator.Result run(
      BenchAlgorithms.Entry entry, HttpBackends backends, OkHttpClient client, int rate, double seconds,
      long serviceNanos, int slowFactor) {
    backends.setServiceNanos(serviceNanos);
    try (LoadBalancer lb = BenchServers.balancer(entry.create(), backends.servers())) {
      LoadGenerator.Target target = HttpTargets.balanced(client, lb, backends.servers(), entry.keys());
      LoadGenerator.openLoop(target, rate, LEAD_IN_SECONDS, offset -> { }, 3.0);
      long slowFrom = (long) (seconds * SLOW_FROM * 1e9);
      long slowUntil = (long) (seconds * SLOW_UNTIL * 1e9);
      HttpBackends.Backend victim = backends.get(0);
      LoadGenerator.Result result =
          LoadGenerator.openLoop(
              target,
              rate,
              seconds,
              offset -> {
                boolean slow = slowFactor > 1 && offset >= slowFrom && offset < slowUntil;
                victim.setServiceNanos(slow ? serviceNanos * slowFactor : serviceNanos);
              },
              5.0);
      backends.setServiceNanos(serviceNanos);
      return result;
    }
  }
}
