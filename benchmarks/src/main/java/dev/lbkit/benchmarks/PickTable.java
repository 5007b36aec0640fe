package dev.lbkit.benchmarks;

import static dev.lbkit.benchmarks.JmhResults.alloc;
import static dev.lbkit.benchmarks.JmhResults.allocOf;
import static dev.lbkit.benchmarks.JmhResults.cpu;
import static dev.lbkit.benchmarks.JmhResults.method;
import static dev.lbkit.benchmarks.JmhResults.primary;
import static dev.lbkit.benchmarks.JmhResults.ratio;
import static dev.lbkit.benchmarks.JmhResults.scoreOf;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * The Markdown tables of {@link PickBenchmark}: every row with its ratio to gRPC-java's {@code
 * round_robin} pick measured in the same run, at the same N and thread count, and the row's
 * target where it has one.
 *
 * <p>Ratios and the "within target" column use CPU time per operation ({@link CpuTimeProfiler}):
 * on a shared machine, wall-clock time grows with whatever else runs at that moment, and rows are
 * measured minutes apart. The wall-clock ratio is shown next to it.
 */
final class PickTable {

  /** Targets on one thread, as the largest ratio to gRPC's pick at the same N, by algorithm. */
  static final Map<String, Double> TARGETS_1_THREAD = targets1Thread();

  /** Target on two threads: per-thread round robin at most gRPC's pick on two threads. */
  static final Map<String, Double> TARGETS_2_THREADS = Map.of("per-thread-round-robin", 1.0);

  private static final String HEADER = "| row | N | wall ns/op | CPU ns/op | × gRPC RR (CPU) | × gRPC RR (wall) | B/op "
      + "| target (CPU) | within target |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n";

  /** The label of least response time P2C on the coarse clock; its target is the P2C variant's. */
  static final String COARSE_LRT = "least-response-time-peak-ewma-p2c (coarse clock)";

  /** The label of smooth WRR through the EDF heap; its target is O(log N), not a ratio. */
  static final String EDF_SWRR = "smooth-weighted-round-robin-edf (weights up to 10^6)";

  private PickTable() {}

  private static Map<String, Double> targets1Thread() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("round-robin", 1.5);
    m.put("random", 1.5);
    m.put("weighted-random", 1.5);
    m.put("power-of-two-choices", 2.5);
    m.put("least-response-time-peak-ewma-p2c", 4.0);
    m.put("smooth-weighted-round-robin", 2.0);
    m.put("maglev", 3.0);
    m.put("ring-hash", 3.0);
    return m;
  }

  /** Both tables, one thread and two threads, with the floor and the peers first. */
  static String of(Collection<RunResult> runs) {
    RunResult floor1 = null;
    RunResult floor2 = null;
    RunResult onceOnly = null;
    RunResult twoChoices = null;
    Map<Integer, RunResult> grpc1 = new TreeMap<>();
    Map<Integer, RunResult> grpc2 = new TreeMap<>();
    Map<Integer, RunResult> armeria = new TreeMap<>();
    Map<Integer, RunResult> pickOnly = new TreeMap<>();
    Map<String, Map<Integer, RunResult>> picks = new LinkedHashMap<>();
    Map<String, Map<Integer, RunResult>> contended = new LinkedHashMap<>();
    for (RunResult run : runs) {
      String method = method(run);
      Integer n = run.getParams().getParam("servers") == null ? null : Integer.valueOf(run.getParams().getParam("servers"));
      switch (method) {
        case "atomicLong1Thread":
          floor1 = run;
          break;
        case "onceOnlyFloor1Thread":
          onceOnly = run;
          break;
        case "twoChoicesFloor1Thread":
          twoChoices = run;
          break;
        case "atomicLong2Threads":
          floor2 = run;
          break;
        case "grpcRoundRobin1Thread":
          grpc1.put(n, run);
          break;
        case "grpcRoundRobin2Threads":
          grpc2.put(n, run);
          break;
        case "armeriaRoundRobin1Thread":
          armeria.put(n, run);
          break;
        case "roundRobinPickOnly1Thread":
          pickOnly.put(n, run);
          break;
        case "pick1Thread":
          picks.computeIfAbsent(label(run, "algorithm"), k -> new TreeMap<>()).put(n, run);
          break;
        case "leastResponseTimeCoarseClock1Thread":
          picks.computeIfAbsent(COARSE_LRT, k -> new TreeMap<>()).put(n, run);
          break;
        case "smoothWeightedRoundRobinEdf1Thread":
          picks.computeIfAbsent(EDF_SWRR, k -> new TreeMap<>()).put(n, run);
          break;
        case "pick2Threads":
          contended.computeIfAbsent(label(run, "contendedAlgorithm"), k -> new TreeMap<>()).put(n, run);
          break;
        default:
          throw new IllegalArgumentException("no table row for benchmark method '" + method + "'");
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append("**One thread.** Ratios to gRPC's `round_robin` pick at the same N.\n\n").append(HEADER);
    row(sb, "`AtomicLong.getAndIncrement()` (floor)", "–", floor1, null, "–", "–");
    rows(sb, "gRPC `round_robin` `pickSubchannel`", grpc1, grpc1, null);
    floorRows(sb, "counter + 16-byte object + one CAS (floor of a once-only report)", onceOnly, grpc1,
        TARGETS_1_THREAD.get("round-robin"));
    floorRows(sb, "two draws + in-flight up and down + 16-byte object + one CAS (floor of a P2C report, 100 servers)",
        twoChoices, grpc1, TARGETS_1_THREAD.get("power-of-two-choices"));
    rows(sb, "Armeria `roundRobin` `selectNow`", armeria, grpc1, null);
    rows(sb, "lbkit round-robin, pick only", pickOnly, grpc1, null);
    for (Map.Entry<String, Map<Integer, RunResult>> e : picks.entrySet()) {
      rows(sb, "lbkit " + e.getKey() + ", pick + report", e.getValue(), grpc1, TARGETS_1_THREAD.get(algorithm(e.getKey())));
    }
    sb.append("\n**Two threads** sharing one balancer, picker or counter. Ratios to gRPC's `round_robin` pick on two"
        + " threads at the same N.\n\n").append(HEADER);
    row(sb, "`AtomicLong.getAndIncrement()` (floor)", "–", floor2, null, "–", "–");
    rows(sb, "gRPC `round_robin` `pickSubchannel`", grpc2, grpc2, null);
    for (Map.Entry<String, Map<Integer, RunResult>> e : contended.entrySet()) {
      rows(sb, "lbkit " + e.getKey() + ", pick + report", e.getValue(), grpc2, TARGETS_2_THREADS.get(algorithm(e.getKey())));
    }
    return sb.toString();
  }

  /** The algorithm's name, with its key form and a non-default ticker. */
  private static String label(RunResult run, String param) {
    String algorithm = run.getParams().getParam(param);
    StringBuilder label = new StringBuilder(algorithm);
    if (BenchAlgorithms.byName(algorithm).keys() == BenchAlgorithms.Keys.HASHED) {
      label.append(" (`ofKey` inside)");
    }
    String ticker = run.getParams().getParam("ticker");
    if (ticker != null && !ticker.equals("system")) {
      label.append(" (ticker ").append(ticker).append(')');
    }
    return label.toString();
  }

  private static String algorithm(String label) {
    int space = label.indexOf(' ');
    return space < 0 ? label : label.substring(0, space);
  }

  /** A floor measured once, shown against gRPC's pick at every N, with the target it bounds. */
  private static void floorRows(StringBuilder sb, String label, RunResult floor, Map<Integer, RunResult> grpc,
      Double target) {
    if (floor == null) {
      return;
    }
    Map<Integer, RunResult> atEachN = new TreeMap<>();
    for (Integer n : grpc.keySet()) {
      atEachN.put(n, floor);
    }
    rows(sb, label, atEachN, grpc, target);
  }

  private static void rows(StringBuilder sb, String label, Map<Integer, RunResult> byN, Map<Integer, RunResult> grpc,
      Double target) {
    for (Map.Entry<Integer, RunResult> e : byN.entrySet()) {
      RunResult base = grpc.get(e.getKey());
      RunResult run = e.getValue();
      String targetText = target == null ? "–" : String.format(Locale.ROOT, "≤ %.1f×", target);
      String within = "–";
      Result<?> cpu = cpu(run);
      Result<?> baseCpu = cpu(base);
      if (target != null && cpu != null && baseCpu != null) {
        within = cpu.getScore() / baseCpu.getScore() <= target ? "yes" : "**no**";
      }
      row(sb, label, String.valueOf(e.getKey()), run, base, targetText, within);
    }
  }

  private static void row(StringBuilder sb, String label, String n, RunResult run, RunResult base, String target,
      String within) {
    sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", label, n,
        scoreOf(primary(run)), scoreOf(cpu(run)), ratio(cpu(run), cpu(base)), ratio(primary(run), primary(base)),
        allocOf(alloc(run)), target, within));
  }
}
