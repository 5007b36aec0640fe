package dev.lbkit.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/** Reads JMH results and formats their figures for the Markdown tables of {@link JmhReport}. */
final class JmhResults {

  /** {@link CpuTimeProfiler}'s CPU time per operation. */
  static final String CPU = "cpu.time.norm";

  /** JMH's GC profiler: bytes allocated per operation. */
  static final String ALLOC = "gc.alloc.rate.norm";

  private JmhResults() {}

  static Result<?> primary(RunResult run) {
    return run == null ? null : run.getPrimaryResult();
  }

  static Result<?> cpu(RunResult run) {
    return run == null ? null : run.getSecondaryResults().get(CPU);
  }

  static Result<?> alloc(RunResult run) {
    return run == null ? null : run.getSecondaryResults().get(ALLOC);
  }

  /** The benchmark method's simple name. */
  static String method(RunResult run) {
    String name = run.getParams().getBenchmark();
    return name.substring(name.lastIndexOf('.') + 1);
  }

  /** The primary score of every measured iteration, over all forks. */
  static List<Double> iterationScores(RunResult run) {
    List<Double> scores = new ArrayList<>();
    for (BenchmarkResult fork : run.getBenchmarkResults()) {
      for (IterationResult it : fork.getIterationResults()) {
        scores.add(it.getPrimaryResult().getScore());
      }
    }
    return scores;
  }

  /** A secondary result of every measured iteration that has it, over all forks. */
  static List<Double> iterationScores(RunResult run, String secondary) {
    List<Double> scores = new ArrayList<>();
    for (BenchmarkResult fork : run.getBenchmarkResults()) {
      for (IterationResult it : fork.getIterationResults()) {
        Result<?> r = it.getSecondaryResults().get(secondary);
        if (r != null) {
          scores.add(r.getScore());
        }
      }
    }
    return scores;
  }

  /** The smallest of {@code scores}, or NaN when there is none. */
  static double best(List<Double> scores) {
    double best = Double.NaN;
    for (double s : scores) {
      if (Double.isNaN(best) || s < best) {
        best = s;
      }
    }
    return best;
  }

  static String scoreOf(Result<?> r) {
    return r == null ? "–" : String.format(Locale.ROOT, "%.2f ± %.2f", r.getScore(), r.getScoreError());
  }

  /** A score in nanoseconds shown in microseconds. */
  static String micros(Result<?> ns) {
    return ns == null ? "–" : String.format(Locale.ROOT, "%.2f ± %.2f", ns.getScore() / 1000, ns.getScoreError() / 1000);
  }

  static String ratio(Result<?> r, double base) {
    return r == null ? "–" : ratio(r.getScore(), base);
  }

  static String ratio(Result<?> r, Result<?> base) {
    return ratio(r, base == null ? Double.NaN : base.getScore());
  }

  static String ratio(double value, double base) {
    return Double.isNaN(value) || Double.isNaN(base) ? "–" : String.format(Locale.ROOT, "%.2f×", value / base);
  }

  static String allocOf(Result<?> r) {
    return r == null ? "–" : String.format(Locale.ROOT, "%.3f", r.getScore());
  }
}
