package dev.lbkit.simulator;

import dev.lbkit.simulator.report.Table;
import dev.lbkit.simulator.scenario.Scenario;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs scenario files and writes one report per scenario.
 *
 * <pre>
 * simulator/run.sh [--out DIR] [--threads N] [--requests N] [--max-bins N] scenario.yaml...
 * </pre>
 *
 * <p>{@code --requests} overrides a fleet scenario's request count (and drops its duration), to
 * try a scenario small first; {@code --max-bins} drops balls-into-bins sizes above N. Reports go
 * to {@code simulator/target/reports} by default.
 */
public final class Main {

  private Main() {}

  /** Entry point; exits with 2 on a usage error. */
  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    Path out = Path.of("simulator/target/reports");
    int threads = 1;
    long requests = 0;
    int maxBins = Integer.MAX_VALUE;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--out" -> out = Path.of(value(args, ++i));
        case "--threads" -> threads = Integer.parseInt(value(args, ++i));
        case "--requests" -> requests = Long.parseLong(value(args, ++i));
        case "--max-bins" -> maxBins = Integer.parseInt(value(args, ++i));
        default -> {
          if (args[i].startsWith("--")) {
            usage("unknown option " + args[i]);
          }
          files.add(Path.of(args[i]));
        }
      }
    }
    if (files.isEmpty()) {
      usage("no scenario file given");
    }
    for (Path file : files) {
      Scenario scenario = Scenario.load(file);
      if (requests > 0) {
        scenario = scenario.withRequests(requests);
      }
      if (maxBins < Integer.MAX_VALUE) {
        scenario = scenario.withMaxBins(maxBins);
      }
      System.out.println("== " + scenario.name() + ": " + scenario.title());
      ScenarioRunner.Output output = ScenarioRunner.run(scenario, out, threads, System.out);
      for (Table t : output.tables()) {
        System.out.println();
        System.out.print(t.markdown());
      }
      System.out.println();
      System.out.println("report: " + output.html());
    }
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      usage(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println("usage: simulator/run.sh [--out DIR] [--threads N] [--requests N] [--max-bins N] scenario.yaml...");
    System.exit(2);
  }
}
