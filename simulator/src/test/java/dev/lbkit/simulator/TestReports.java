package dev.lbkit.simulator;

import dev.lbkit.simulator.scenario.Scenario;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** A small fleet scenario run once per test JVM, with its report, shared by the report tests. */
public final class TestReports {

  /** Where the test reports go: under the module's target directory. */
  public static final Path OUT = Path.of("target", "test-reports");

  /** A small scenario with a slow server, a restart and two variants; runs in about a second. */
  public static final String SMALL = """
      name: small-fleet
      title: Small fleet
      description: Twenty clients, five servers, one of them slow for a while and one restarting.
      seed: 7
      clients: 20
      servers: 5
      workers: 2
      service: {distribution: log-normal, mean: 5ms, sigma: 0.8}
      network: {latency: 500us, jitter: 100us}
      workload: {kind: open, utilisation: 0.6}
      requests: 20000
      interval: 250ms
      timeout: 1s
      attempts: 2
      faults:
        - {kind: slow, server: 0, at: 2s, for: 10s, factor: 8}
        - {kind: restart, server: 1, at: 4s, for: 500ms, factor: 3, warmup: 1s}
      variants:
        - {name: round robin, algorithm: round-robin}
        - {name: Peak EWMA, algorithm: least-response-time}
      findings:
        - Peak EWMA moves traffic off the slow server; round robin does not.
      """;

  private static ScenarioRunner.Output small;

  private TestReports() {}

  /** The small scenario's report, generated on first use. */
  public static synchronized ScenarioRunner.Output small() {
    if (small == null) {
      try {
        small = ScenarioRunner.run(Scenario.parse(SMALL), OUT, 1, new PrintStream(OutputStream.nullOutputStream()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return small;
  }
}
