package dev.lbkit.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs one JMH benchmark class and prints its results as the Markdown tables of {@code
 * benchmarks/README.md}: every figure next to the baseline measured in the same run, as a ratio.
 * The tables also go to {@code benchmarks/target/results/<kind>.md}.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.JmhReport pick|rebuild|interceptor \
 *     [JMH options, e.g. -f 1 -wi 3 -w 1s -i 5 -r 1s]
 * }</pre>
 *
 * Without {@code -p algorithm=...}, every algorithm in {@link BenchAlgorithms} runs. {@code pick}
 * and {@code rebuild} add JMH's GC profiler for {@code gc.alloc.rate.norm} ({@code interceptor} too,
 * for the bytes a call allocates); every kind adds
 * {@link CpuTimeProfiler}, and the ratios of {@code pick} use CPU time per operation, which a
 * shared machine's load does not inflate (wall-clock scores are shown next to them).
 */
public final class JmhReport {

  private JmhReport() {}

  /** Runs the benchmark named by the first argument with the JMH options that follow. */
  public static void main(String[] args) throws RunnerException, CommandLineOptionException {
    if (args.length == 0) {
      throw new IllegalArgumentException("first argument must be one of [pick, rebuild, interceptor], was none");
    }
    String kind = args[0];
    CommandLineOptions cli = new CommandLineOptions(Arrays.copyOfRange(args, 1, args.length));
    ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
    String table;
    switch (kind) {
      case "pick":
        options.include(PickBenchmark.class.getName()).addProfiler(GCProfiler.class).addProfiler(CpuTimeProfiler.class);
        withAlgorithms(options, cli);
        table = pickTable(new Runner(options.build()).run());
        break;
      case "rebuild":
        options.include(RebuildBenchmark.class.getName()).addProfiler(GCProfiler.class).addProfiler(CpuTimeProfiler.class);
        withAlgorithms(options, cli);
        table = rebuildTable(new Runner(options.build()).run());
        break;
      case "interceptor":
        options.include(InterceptorBenchmark.class.getName()).addProfiler(GCProfiler.class).addProfiler(CpuTimeProfiler.class);
        table = interceptorTable(new Runner(options.build()).run());
        break;
      default:
        throw new IllegalArgumentException(
            "first argument must be one of [pick, rebuild, interceptor], was '" + kind + "'");
    }
    System.out.println();
    System.out.println(table);
    try {
      Path out = Path.of("benchmarks", "target", "results");
      Files.createDirectories(out);
      Files.writeString(out.resolve(kind + ".md"), table, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void withAlgorithms(ChainedOptionsBuilder options, CommandLineOptions cli) {
    if (!cli.getParameter("algorithm").hasValue()) {
      options.param("algorithm", BenchAlgorithms.names().toArray(new String[0]));
    }
  }

  static String pickTable(Collection<RunResult> runs) {
    RunResult base1 = null;
    RunResult base2 = null;
    Map<String, RunResult[]> rows = new LinkedHashMap<>();
    for (RunResult run : runs) {
      String method = method(run);
      if (method.equals("baseline1Thread")) {
        base1 = run;
        continue;
      }
      if (method.equals("baseline2Threads")) {
        base2 = run;
        continue;
      }
      String key = run.getParams().getParam("algorithm") + "|" + run.getParams().getParam("servers");
      RunResult[] row = rows.computeIfAbsent(key, k -> new RunResult[3]);
      row[method.equals("pick1Thread") ? 0 : method.equals("pick2Threads") ? 1 : 2] = run;
    }
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
        "Baseline, one AtomicLong.getAndIncrement(): 1 thread %s ns/op wall, %s ns/op CPU;"
            + " 2 threads %s ns/op wall, %s ns/op CPU.%n%n",
        scoreOf(primary(base1)), scoreOf(cpu(base1)), scoreOf(primary(base2)), scoreOf(cpu(base2))));
    sb.append("| algorithm | N | 1 thread wall ns/op | 1 thread CPU ns/op | × baseline | 2 threads wall ns/op "
        + "| 2 threads CPU ns/op | × baseline | B/op | picker alone CPU ns/op | × baseline |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<String, RunResult[]> e : rows.entrySet()) {
      String[] k = e.getKey().split("\\|");
      RunResult[] r = e.getValue();
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", k[0], k[1],
          scoreOf(primary(r[0])), scoreOf(cpu(r[0])), ratio(cpu(r[0]), cpu(base1)),
          scoreOf(primary(r[1])), scoreOf(cpu(r[1])), ratio(cpu(r[1]), cpu(base2)),
          allocOf(r[0] == null ? null : alloc(r[0])),
          scoreOf(cpu(r[2])), ratio(cpu(r[2]), cpu(base1))));
    }
    return sb.toString();
  }

  static String rebuildTable(Collection<RunResult> runs) {
    Map<String, Double> copy = new LinkedHashMap<>();
    Map<String, Row> rows = new LinkedHashMap<>();
    RunResult ring = null;
    for (RunResult run : runs) {
      String method = method(run);
      if (method.equals("ringBuild65536")) {
        ring = run;
        continue;
      }
      String weights = run.getParams().getParam("weights");
      String servers = run.getParams().getParam("servers");
      if (method.equals("baselineCopy")) {
        copy.put(servers + "|" + weights, run.getPrimaryResult().getScore());
        continue;
      }
      String key = run.getParams().getParam("algorithm") + "|" + servers + "|" + weights;
      Row row = rows.computeIfAbsent(key, k -> new Row());
      if (method.equals("newPicker")) {
        row.one = run.getPrimaryResult();
        row.alloc = alloc(run);
        row.direct = cpu(run);
      } else {
        row.two = run.getPrimaryResult();
        row.alloc2 = alloc(run);
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append("Baseline, copying N endpoint references into an array:");
    for (Map.Entry<String, Double> e : copy.entrySet()) {
      String[] k = e.getKey().split("\\|");
      sb.append(String.format(Locale.ROOT, " %.2f µs (N = %s, %s weights);", e.getValue(), k[0], k[1]));
    }
    sb.setLength(sb.length() - 1);
    sb.append(".\n\n");
    sb.append("| algorithm | N | weights | newPicker wall µs | newPicker CPU µs | × baseline | B/op newPicker "
        + "| updateServers wall µs | × baseline | B/op updateServers |\n");
    sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<String, Row> e : rows.entrySet()) {
      String[] k = e.getKey().split("\\|");
      Row r = e.getValue();
      double base = copy.getOrDefault(k[1] + "|" + k[2], Double.NaN);
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", k[0], k[1], k[2],
          scoreOf(r.one), micros(r.direct), ratio(r.one, base), allocOf(r.alloc), scoreOf(r.two), ratio(r.two, base),
          allocOf(r.alloc2)));
    }
    if (ring != null) {
      sb.append(String.format(Locale.ROOT,
          "%nRing hash build, 65,536 points (1,024 servers × 64): %s µs wall, %s µs CPU, %s B/op.%n",
          scoreOf(primary(ring)), micros(cpu(ring)), allocOf(alloc(ring))));
    }
    return sb.toString();
  }

  static String interceptorTable(Collection<RunResult> runs) {
    Map<String, RunResult> byClient = new LinkedHashMap<>();
    for (RunResult run : runs) {
      byClient.put(run.getParams().getParam("client"), run);
    }
    RunResult plain = byClient.get("plain");
    RunResult lbkit = byClient.get("lbkit");
    StringBuilder sb = new StringBuilder();
    sb.append("| client | wall µs per GET (± 99.9% CI) | × plain | caller-thread CPU µs per GET | × plain | B/op |\n"
        + "|---|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<String, RunResult> e : byClient.entrySet()) {
      RunResult r = e.getValue();
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", e.getKey(), scoreOf(primary(r)),
          ratio(primary(r), primary(plain)), micros(cpu(r)), ratio(cpu(r), cpu(plain)), allocOf(alloc(r))));
    }
    if (plain != null && lbkit != null) {
      Result<?> a = primary(lbkit);
      Result<?> b = primary(plain);
      // Independent runs: the CI of the difference is bounded by the sum of the half-widths.
      sb.append(String.format(Locale.ROOT,
          "%nAdded per call, wall: %.2f µs ± %.2f µs (99.9%%, sum of both half-widths).%n",
          a.getScore() - b.getScore(), a.getScoreError() + b.getScoreError()));
      Result<?> ca = cpu(lbkit);
      Result<?> cb = cpu(plain);
      if (ca != null && cb != null) {
        sb.append(String.format(Locale.ROOT,
            "Added per call, caller-thread CPU: %.2f µs ± %.2f µs (99.9%%, sum of both half-widths).%n",
            (ca.getScore() - cb.getScore()) / 1000, (ca.getScoreError() + cb.getScoreError()) / 1000));
      }
    }
    return sb.toString();
  }

  private static String micros(Result<?> ns) {
    return ns == null ? "–" : String.format(Locale.ROOT, "%.2f ± %.2f", ns.getScore() / 1000, ns.getScoreError() / 1000);
  }

  private static Result<?> primary(RunResult run) {
    return run == null ? null : run.getPrimaryResult();
  }

  private static Result<?> cpu(RunResult run) {
    return run == null ? null : run.getSecondaryResults().get("cpu.time.norm");
  }

  private static String method(RunResult run) {
    String name = run.getParams().getBenchmark();
    return name.substring(name.lastIndexOf('.') + 1);
  }

  private static Result<?> alloc(RunResult run) {
    return run.getSecondaryResults().get("gc.alloc.rate.norm");
  }

  private static String scoreOf(Result<?> r) {
    if (r == null) {
      return "–";
    }
    return String.format(Locale.ROOT, "%.2f ± %.2f", r.getScore(), r.getScoreError());
  }

  private static String ratio(Result<?> r, double base) {
    return r == null || Double.isNaN(base) ? "–" : String.format(Locale.ROOT, "%.2f×", r.getScore() / base);
  }

  private static String ratio(Result<?> r, Result<?> base) {
    return ratio(r, base == null ? Double.NaN : base.getScore());
  }

  private static String allocOf(Result<?> r) {
    return r == null ? "–" : String.format(Locale.ROOT, "%.3f", r.getScore());
  }

  private static final class Row {
    Result<?> one;
    Result<?> two;
    Result<?> alloc;
    Result<?> alloc2;
    Result<?> direct;
  }
}
