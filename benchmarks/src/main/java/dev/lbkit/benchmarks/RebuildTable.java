package dev.lbkit.benchmarks;

import static dev.lbkit.benchmarks.JmhResults.ALLOC;
import static dev.lbkit.benchmarks.JmhResults.CPU;
import static dev.lbkit.benchmarks.JmhResults.best;
import static dev.lbkit.benchmarks.JmhResults.iterationScores;
import static dev.lbkit.benchmarks.JmhResults.method;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.openjdk.jmh.results.RunResult;

/**
 * The Markdown table of {@link RebuildBenchmark}: for each algorithm and N, the best measured
 * iteration's milliseconds per list change (wall clock, and the benchmark thread's CPU time),
 * the bytes a change allocates at the largest N, and whether the change is within its target,
 * next to the runtime's floor measured in the same run.
 *
 * <p>The best iteration, not the mean: a change is a burst of allocation, and on a shared machine
 * an iteration can also lose its core; the best of several is the cost of the change itself. The
 * verdict uses wall-clock time, which includes the collections a change's garbage causes.
 */
final class RebuildTable {

  /** Target: the largest best-iteration milliseconds per change, by N. */
  static final Map<Integer, Double> TARGET_MS = Map.of(1_000, 10.0, 10_000, 50.0);

  private static final String FLOOR = "runtime floor (an algorithm that builds nothing)";

  private RebuildTable() {}

  /** The table, the floor first. */
  static String of(Collection<RunResult> runs) {
    // The floor first, then the algorithms in the order they ran.
    Map<String, Map<Integer, RunResult>> rows = new LinkedHashMap<>();
    rows.put(FLOOR, new TreeMap<>());
    TreeSet<Integer> sizes = new TreeSet<>();
    int iterations = 0;
    for (RunResult run : runs) {
      String method = method(run);
      int n = Integer.parseInt(run.getParams().getParam("servers"));
      sizes.add(n);
      iterations = Math.max(iterations, iterationScores(run).size());
      String label;
      switch (method) {
        case "floorListChange":
          label = FLOOR;
          break;
        case "listChange":
          label = run.getParams().getParam("algorithm");
          break;
        default:
          throw new IllegalArgumentException("no table row for benchmark method '" + method + "'");
      }
      String weights = run.getParams().getParam("weights");
      if (weights != null && !weights.equals(PickBenchmark.WEIGHTS)) {
        label += " (weights " + weights + ")";
      }
      rows.computeIfAbsent(label, k -> new TreeMap<>()).put(n, run);
    }
    if (rows.get(FLOOR).isEmpty()) {
      rows.remove(FLOOR);
    }
    int largest = sizes.isEmpty() ? 0 : sizes.last();

    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
        "One server removed through `updateServers`, then a pick and its report; best of %d measured iterations,"
            + " ms per change.%n%n", iterations));
    sb.append("| algorithm |");
    for (int n : sizes) {
      sb.append(String.format(Locale.ROOT, " N = %,d wall ms |", n));
    }
    for (int n : sizes) {
      sb.append(String.format(Locale.ROOT, " N = %,d CPU ms |", n));
    }
    sb.append(String.format(Locale.ROOT, " B/op at N = %,d | within target (≤ 10 ms at 1,000, ≤ 50 ms at 10,000) |%n",
        largest));
    sb.append("|---|");
    sb.append("---:|".repeat(2 * sizes.size() + 1));
    sb.append("---|\n");
    for (Map.Entry<String, Map<Integer, RunResult>> e : rows.entrySet()) {
      Map<Integer, RunResult> byN = e.getValue();
      sb.append("| ").append(e.getKey()).append(" |");
      for (int n : sizes) {
        sb.append(' ').append(millis(byN.get(n) == null ? Double.NaN : best(iterationScores(byN.get(n))))).append(" |");
      }
      for (int n : sizes) {
        // CPU time is in nanoseconds per operation.
        double cpu = byN.get(n) == null ? Double.NaN : best(iterationScores(byN.get(n), CPU)) / 1e6;
        sb.append(' ').append(millis(cpu)).append(" |");
      }
      RunResult big = byN.get(largest);
      sb.append(' ').append(bytes(big)).append(" | ").append(within(byN)).append(" |\n");
    }
    return sb.toString();
  }

  private static String within(Map<Integer, RunResult> byN) {
    StringBuilder missed = new StringBuilder();
    boolean measured = false;
    for (Map.Entry<Integer, Double> t : new TreeMap<>(TARGET_MS).entrySet()) {
      RunResult run = byN.get(t.getKey());
      if (run == null) {
        continue;
      }
      measured = true;
      double ms = best(iterationScores(run));
      if (!(ms <= t.getValue())) {
        missed.append(missed.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,d", t.getKey()));
      }
    }
    if (!measured) {
      return "–";
    }
    return missed.length() == 0 ? "yes" : "**no** (N = " + missed + ")";
  }

  private static String millis(double ms) {
    if (Double.isNaN(ms)) {
      return "–";
    }
    return String.format(Locale.ROOT, ms < 1 ? "%.3f" : "%.2f", ms);
  }

  private static String bytes(RunResult run) {
    if (run == null || run.getSecondaryResults().get(ALLOC) == null) {
      return "–";
    }
    return String.format(Locale.ROOT, "%,.0f", run.getSecondaryResults().get(ALLOC).getScore());
  }
}
