package dev.lbkit.simulator.report;

import dev.lbkit.api.Outcome;
import dev.lbkit.simulator.fleet.FleetConfig;
import dev.lbkit.simulator.fleet.Metrics;
import dev.lbkit.simulator.fleet.RunResult;
import dev.lbkit.simulator.stats.LogHistogram;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The report of a fleet scenario: the headline table, then latency percentiles over time per
 * variant, per-server load over time, the balance of load (max / mean), errors and retries, and
 * what the simulator itself cost.
 */
public final class FleetReport {

  /** Variants beyond this many get no heat map of their own: the page would be too long to read. */
  static final int MAX_HEATMAPS = 12;

  private static final int WIDTH = 1180;

  private FleetReport() {}

  /** The headline figures, one row per variant. */
  public static Table headline(List<RunResult> runs) {
    List<List<String>> rows = new ArrayList<>();
    for (RunResult r : runs) {
      Metrics m = r.metrics();
      LogHistogram h = m.latency();
      int[] conns = m.connections();
      long maxConn = 0;
      for (int c : conns) {
        maxConn = Math.max(maxConn, c);
      }
      double meanConn = (double) m.totalConnections() / m.servers();
      rows.add(List.of(
          r.name(),
          Format.count(m.requests()),
          Format.percent(m.requests() == 0 ? Double.NaN : (double) m.failed() / m.requests(), 2),
          Format.count(m.retries()),
          Format.ratio(m.attemptsPerRequest(), 2),
          Format.millis(h.quantile(0.5)),
          Format.millis(h.quantile(0.99)),
          Format.millis(h.quantile(0.999)),
          Format.millis(h.max()),
          Format.ratio(m.maxOverMean(), 2),
          Format.ratio(meanConn, 0) + " / " + maxConn));
    }
    return new Table("headline", List.of("variant", "requests", "failed", "retries", "attempts per call", "p50 ms", "p99 ms",
        "p99.9 ms", "max ms", "max/mean requests", "connections per server (mean / max)"), rows);
  }

  /** What each run cost the simulator. */
  public static Table cost(List<RunResult> runs) {
    List<List<String>> rows = new ArrayList<>();
    for (RunResult r : runs) {
      rows.add(List.of(r.name(), Format.count(r.issued()), Format.count(r.events()),
          Format.ratio(r.endNanos() / 1e9, 1), Format.ratio(r.wallNanos() / 1e9, 2),
          Format.count(Math.round(r.eventsPerSecond()))));
    }
    return new Table("cost", List.of("variant", "requests", "events", "virtual s", "wall s", "events/s"), rows);
  }

  /** Builds the page. */
  public static HtmlReport build(String title, String description, List<String> findings, FleetConfig config,
      List<RunResult> runs, String machine) {
    HtmlReport page = new HtmlReport(title);
    if (!description.isEmpty()) {
      page.paragraph(description);
    }
    page.meta(config.clients() + " clients × " + config.servers() + " servers × " + config.workers()
        + " workers; service " + config.service() + "; " + config.workload()
        + (Double.isNaN(config.utilisation()) ? "" : "; utilisation " + Format.percent(config.utilisation(), 0))
        + "; seed " + config.seed() + "; warm-up " + config.warmupNanos() / 1e9 + " s excluded from the table.");
    page.heading("Headline figures");
    headline(runs).addTo(page);
    page.meta("Latency is the client's: from the first pick to the final answer, retries included. "
        + "max/mean requests: the busiest server's request count over the mean. Connections: clients that "
        + "picked the server at least once.");
    if (!findings.isEmpty()) {
      page.heading("Findings");
      page.list(findings);
    }

    page.heading("Latency over time");
    double[] quantiles = {0.5, 0.99, 0.999};
    String[] names = {"p50", "p99", "p99.9"};
    for (int q = 0; q < quantiles.length; q++) {
      page.chart(Charts.lines(names[q] + " latency per interval", "time (s)", names[q] + " (ms)",
          latencySeries(runs, quantiles[q]), true), WIDTH, 380,
          names[q] + " of the requests that ended in each interval, per variant (log scale).");
    }
    page.chart(Charts.bars("Latency percentiles over the run", "ms", percentileBars(runs), true), WIDTH, 420,
        "p50, p99 and p99.9 of every request after the warm-up, per variant (log scale).");

    page.heading("Load per server");
    page.chart(Charts.lines("Busiest server's share: max / mean requests per interval", "time (s)", "max / mean",
        maxOverMeanSeries(runs), false), WIDTH, 360,
        "In each interval, the requests the busiest server received over the mean per server. 1 is perfect balance.");
    int heatmaps = Math.min(runs.size(), MAX_HEATMAPS);
    for (int v = 0; v < heatmaps; v++) {
      RunResult r = runs.get(v);
      double[][] z = loads(r.metrics());
      double max = 0;
      for (double[] row : z) {
        for (double x : row) {
          max = Math.max(max, x);
        }
      }
      page.chart(Charts.heatmap("Load per server: " + r.name(), z, r.metrics().intervalNanos() / 1e9,
          "requests at the server", max), WIDTH, Math.max(200, Math.min(420, 120 + 3 * config.servers())),
          "Mean requests queued and in service at each server (rows) in each interval (columns), " + r.name()
              + ". Each map has its own colour scale: read the legend.");
    }
    if (runs.size() > heatmaps) {
      page.meta("Heat maps are shown for the first " + heatmaps + " of " + runs.size() + " variants.");
    }

    page.heading("Errors and retries");
    page.chart(Charts.lines("Failed requests per second", "time (s)", "failed / s",
        perSecond(runs, Metrics.Interval::failed), false), WIDTH, 340,
        "Requests whose final answer was an error (after retries), or that found no server.");
    page.chart(Charts.lines("Retries per second", "time (s)", "retries / s",
        perSecond(runs, Metrics.Interval::retries), false), WIDTH, 340,
        "Attempts after the first of a request.");
    errorsTable(runs).addTo(page);
    page.chart(Charts.lines("Client-server connections", "time (s)", "connections",
        perInterval(runs, i -> (double) i.connections()), false), WIDTH, 320,
        "Client-server pairs in use: a client keeps a connection to every server it has picked.");

    page.heading("The simulator");
    cost(runs).addTo(page);
    page.meta(machine);
    return page;
  }

  /** Attempts by outcome per variant. */
  public static Table errorsTable(List<RunResult> runs) {
    List<List<String>> rows = new ArrayList<>();
    for (RunResult r : runs) {
      Metrics m = r.metrics();
      rows.add(List.of(r.name(), Format.count(m.attempts()), Format.count(m.attempts(Outcome.SUCCESS)),
          Format.count(m.attempts(Outcome.CONNECT_FAILURE)), Format.count(m.attempts(Outcome.SERVER_ERROR)),
          Format.count(m.attempts(Outcome.IO_ERROR)), Format.count(m.attempts(Outcome.TIMEOUT)),
          Format.count(m.noServer()), Format.count(m.unfinished()), Format.count(m.retriesThrottled()),
          Format.count(m.retriesOverBudget())));
    }
    return new Table("attempts", List.of("variant", "attempts", "success", "connect failure", "server error",
        "reset", "timeout", "no server", "unfinished", "retries throttled", "retries over budget"), rows);
  }

  private static List<Charts.Series> latencySeries(List<RunResult> runs, double q) {
    List<Charts.Series> series = new ArrayList<>();
    for (RunResult r : runs) {
      List<Metrics.Interval> in = r.metrics().intervals();
      double[] x = times(r.metrics());
      double[] y = new double[in.size()];
      for (int i = 0; i < in.size(); i++) {
        LogHistogram h = in.get(i).latency();
        y[i] = h.count() == 0 ? Double.NaN : h.quantile(q) / 1e6;
      }
      series.add(new Charts.Series(r.name(), x, y));
    }
    return series;
  }

  private static Map<String, Map<String, Double>> percentileBars(List<RunResult> runs) {
    Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
    String[] names = {"p50", "p99", "p99.9"};
    double[] qs = {0.5, 0.99, 0.999};
    for (int q = 0; q < qs.length; q++) {
      Map<String, Double> row = new LinkedHashMap<>();
      for (RunResult r : runs) {
        row.put(r.name(), Math.max(1e-3, r.metrics().latency().quantile(qs[q]) / 1e6));
      }
      bars.put(names[q], row);
    }
    return bars;
  }

  private static List<Charts.Series> maxOverMeanSeries(List<RunResult> runs) {
    return perInterval(runs, i -> {
      long max = 0;
      long sum = 0;
      for (long a : i.arrivals()) {
        max = Math.max(max, a);
        sum += a;
      }
      return sum == 0 ? Double.NaN : max / ((double) sum / i.arrivals().length);
    });
  }

  private static List<Charts.Series> perSecond(List<RunResult> runs, ToLongFunction<Metrics.Interval> f) {
    List<Charts.Series> series = new ArrayList<>();
    for (RunResult r : runs) {
      double seconds = r.metrics().intervalNanos() / 1e9;
      series.add(perInterval(r, i -> f.applyAsLong(i) / seconds));
    }
    return series;
  }

  private static List<Charts.Series> perInterval(List<RunResult> runs,
      ToDoubleFunction<Metrics.Interval> f) {
    List<Charts.Series> series = new ArrayList<>();
    for (RunResult r : runs) {
      series.add(perInterval(r, f));
    }
    return series;
  }

  private static Charts.Series perInterval(RunResult r, ToDoubleFunction<Metrics.Interval> f) {
    List<Metrics.Interval> in = r.metrics().intervals();
    double[] y = new double[in.size()];
    for (int i = 0; i < in.size(); i++) {
      y[i] = f.applyAsDouble(in.get(i));
    }
    return new Charts.Series(r.name(), times(r.metrics()), y);
  }

  private static double[] times(Metrics m) {
    int n = m.intervals().size();
    double[] x = new double[n];
    double w = m.intervalNanos() / 1e9;
    for (int i = 0; i < n; i++) {
      x[i] = (i + 0.5) * w;
    }
    return x;
  }

  private static double[][] loads(Metrics m) {
    int n = m.intervals().size();
    double[][] z = new double[n][m.servers()];
    for (int t = 0; t < n; t++) {
      for (int s = 0; s < m.servers(); s++) {
        z[t][s] = m.meanLoad(t, s);
      }
    }
    return z;
  }
}
