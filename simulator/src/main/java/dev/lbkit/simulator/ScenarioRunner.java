package dev.lbkit.simulator;

import dev.lbkit.simulator.bins.BallsIntoBins;
import dev.lbkit.simulator.fleet.RunResult;
import dev.lbkit.simulator.fleet.Simulation;
import dev.lbkit.simulator.fleet.Variant;
import dev.lbkit.simulator.report.BinsReport;
import dev.lbkit.simulator.report.FleetReport;
import dev.lbkit.simulator.report.HtmlReport;
import dev.lbkit.simulator.report.Table;
import dev.lbkit.simulator.scenario.Scenario;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a scenario and writes its report: {@code <out>/<name>.html}, and the headline tables in
 * Markdown as {@code <out>/<name>.md}.
 */
public final class ScenarioRunner {

  /**
   * Where a run's outputs went.
   *
   * @param html the report
   * @param markdown the headline tables in Markdown
   * @param tables the headline tables
   * @param runs the fleet runs (empty for balls into bins)
   */
  public record Output(Path html, Path markdown, List<Table> tables, List<RunResult> runs) {}

  private ScenarioRunner() {}

  /**
   * Runs every variant of {@code scenario} on up to {@code threads} threads (each run is
   * single-threaded and independent), writes the report into {@code out}, and logs progress to
   * {@code log}.
   */
  public static Output run(Scenario scenario, Path out, int threads, PrintStream log)
      throws IOException, InterruptedException {
    return scenario.kind() == Scenario.Kind.BALLS_INTO_BINS
        ? runBins(scenario, out, log)
        : runFleet(scenario, out, threads, log);
  }

  private static Output runFleet(Scenario scenario, Path out, int threads, PrintStream log)
      throws IOException, InterruptedException {
    List<Variant> variants = scenario.variants();
    List<RunResult> runs = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, variants.size())));
    try {
      List<Future<RunResult>> futures = new ArrayList<>();
      for (Variant v : variants) {
        futures.add(pool.submit(() -> {
          RunResult r = Simulation.run(scenario.fleet(), v);
          log.printf("  %-44s %,12d requests %,14d events %7.1f s wall %,12.0f events/s%n", r.name(), r.issued(),
              r.events(), r.wallNanos() / 1e9, r.eventsPerSecond());
          return r;
        }));
      }
      for (Future<RunResult> f : futures) {
        runs.add(f.get());
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException(scenario.name() + ": a run failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
    HtmlReport page = FleetReport.build(scenario.title(), scenario.description(), scenario.findings(),
        scenario.fleet(), runs, machine());
    List<Table> tables = List.of(FleetReport.headline(runs), FleetReport.errorsTable(runs), FleetReport.cost(runs));
    return write(scenario, out, page, tables, runs);
  }

  private static Output runBins(Scenario scenario, Path out, PrintStream log) throws IOException {
    List<BallsIntoBins.Row> rows = new ArrayList<>();
    for (Scenario.BinsSize size : scenario.binsSizes()) {
      for (int d : scenario.binsChoices()) {
        long start = System.nanoTime();
        BallsIntoBins.Row row = BallsIntoBins.compare(d, size.n(), size.runs(), scenario.seed() + d);
        rows.add(row);
        log.printf("  d=%d n=%,d runs=%d: lbkit %.3f, textbook %.3f (%.1f s)%n", d, size.n(), size.runs(),
            row.lbkit().mean(), row.textbook().mean(), (System.nanoTime() - start) / 1e9);
      }
    }
    HtmlReport page = BinsReport.build(scenario.title(), scenario.description(), scenario.findings(), rows, machine());
    return write(scenario, out, page, List.of(BinsReport.table(rows)), List.of());
  }

  private static Output write(Scenario scenario, Path out, HtmlReport page, List<Table> tables, List<RunResult> runs)
      throws IOException {
    Files.createDirectories(out);
    Path html = out.resolve(scenario.name() + ".html");
    page.write(html);
    StringBuilder md = new StringBuilder("## " + scenario.title() + "\n\n");
    for (Table t : tables) {
      md.append(t.markdown()).append('\n');
    }
    md.append(machine()).append('\n');
    Path markdown = out.resolve(scenario.name() + ".md");
    Files.writeString(markdown, md);
    return new Output(html, markdown, tables, runs);
  }

  /** The machine, the JVM, the load average and the date, for the report's footer. */
  static String machine() {
    String load = "unknown";
    try {
      load = Files.readString(Path.of("/proc/loadavg")).trim().replaceAll("^(\\S+ \\S+ \\S+).*", "$1");
    } catch (IOException | RuntimeException e) {
      // not Linux: leave it unknown
    }
    return "Ran " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + " on " + Runtime.getRuntime().availableProcessors()
        + " cores, Java " + System.getProperty("java.version") + ", load average " + load + ".";
  }
}
