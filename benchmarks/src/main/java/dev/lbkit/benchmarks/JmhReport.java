package dev.lbkit.benchmarks;

import static dev.lbkit.benchmarks.JmhResults.alloc;
import static dev.lbkit.benchmarks.JmhResults.allocOf;
import static dev.lbkit.benchmarks.JmhResults.cpu;
import static dev.lbkit.benchmarks.JmhResults.micros;
import static dev.lbkit.benchmarks.JmhResults.primary;
import static dev.lbkit.benchmarks.JmhResults.ratio;
import static dev.lbkit.benchmarks.JmhResults.scoreOf;

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
 * Without {@code -p algorithm=...}, every algorithm in {@link BenchAlgorithms} runs. Every kind
 * adds JMH's GC profiler for {@code gc.alloc.rate.norm}, the bytes per operation, and {@link
 * CpuTimeProfiler}. {@code pick}'s table ({@link PickTable}) states each row as a ratio to gRPC's
 * {@code round_robin} pick at the same N and thread count, by CPU time per operation, which a
 * shared machine's load does not inflate (wall-clock scores and ratios are shown next to them).
 * {@code rebuild}'s table ({@link RebuildTable}) gives the best measured iteration of each list
 * change next to the runtime's floor.
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
        table = PickTable.of(new Runner(options.build()).run());
        break;
      case "rebuild":
        options.include(RebuildBenchmark.class.getName()).addProfiler(GCProfiler.class).addProfiler(CpuTimeProfiler.class);
        withAlgorithms(options, cli);
        table = RebuildTable.of(new Runner(options.build()).run());
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
}
