package dev.lbkit.simulator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.simulator.ScenarioRunner;
import dev.lbkit.simulator.TestReports;
import dev.lbkit.simulator.fleet.RunResult;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** A small scenario from YAML to report: runs, measures what it should, writes HTML and Markdown. */
class SmallScenarioEndToEndTest {

  @Test
  void runsAndWritesTheReport() throws IOException {
    ScenarioRunner.Output out = TestReports.small();
    assertEquals(2, out.runs().size());
    RunResult roundRobin = out.runs().get(0);
    RunResult peakEwma = out.runs().get(1);
    assertEquals(20_000, roundRobin.issued());
    assertEquals(roundRobin.issued(), roundRobin.ended());
    assertTrue(roundRobin.metrics().retries() > 0, "the restart caused no retry");

    // Round robin keeps sending a fifth of the traffic to the slow server; Peak EWMA does not.
    long rrSlow = roundRobin.metrics().serverRequests()[0];
    long ewmaSlow = peakEwma.metrics().serverRequests()[0];
    assertTrue(ewmaSlow < 0.8 * rrSlow, "slow server's requests: round robin " + rrSlow + ", Peak EWMA " + ewmaSlow);
    assertTrue(peakEwma.metrics().latency().quantile(0.99) < roundRobin.metrics().latency().quantile(0.99));

    String html = Files.readString(out.html());
    assertTrue(html.contains("<table id=\"headline\">"));
    assertTrue(html.contains("<td>round robin</td>"));
    assertTrue(html.contains("data:image/png;base64,"));
    assertTrue(!html.contains("http://") && !html.contains("https://"), "the report fetches something");
    String md = Files.readString(out.markdown());
    assertTrue(md.startsWith("## Small fleet\n"), md);
    assertTrue(md.contains("| Peak EWMA |"), md);
  }
}
