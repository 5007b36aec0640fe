package dev.lbkit.simulator.report;

import dev.lbkit.simulator.bins.BallsIntoBins;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The report of a balls-into-bins scenario: the comparison table and the maximum load against n. */
public final class BinsReport {

  private BinsReport() {}

  /** One row per (d, n): lbkit, the textbook process, their distance in standard errors, the theory. */
  public static Table table(List<BallsIntoBins.Row> rows) {
    List<List<String>> cells = new ArrayList<>();
    for (BallsIntoBins.Row r : rows) {
      double se = Math.hypot(r.lbkit().standardError(), r.textbook().standardError());
      double z = se == 0 ? 0 : (r.lbkit().mean() - r.textbook().mean()) / se;
      cells.add(List.of(
          r.choices() == 1 ? "1 (random)" : r.choices() == 2 ? "2 (P2C)" : r.choices() + " (P" + r.choices() + "C)",
          Format.count(r.bins()),
          Format.count(r.lbkit().runs()),
          estimate(r.lbkit()),
          estimate(r.textbook()),
          String.format(Locale.ROOT, "%+.2f", z),
          r.lbkit().agreesWith(r.textbook(), 3.0) ? "yes" : "NO",
          Format.ratio(r.theory(), 2)));
    }
    return new Table("bins", List.of("d", "n", "runs", "lbkit mean max load", "textbook mean max load",
        "difference (SE)", "within 3 SE", "theory leading term"), cells);
  }

  private static String estimate(BallsIntoBins.Estimate e) {
    return String.format(Locale.ROOT, "%.3f ± %.3f", e.mean(), e.standardError());
  }

  /** Builds the page. */
  public static HtmlReport build(String title, String description, List<String> findings,
      List<BallsIntoBins.Row> rows, String machine) {
    HtmlReport page = new HtmlReport(title);
    if (!description.isEmpty()) {
      page.paragraph(description);
    }
    page.heading("Mean maximum load");
    table(rows).addTo(page);
    page.meta("± one standard error of the mean over the runs. Theory: ln n / ln ln n for d = 1, ln ln n / ln d "
        + "for d ≥ 2, leading terms only (the bound for d ≥ 2 is that plus O(1)).");
    if (!findings.isEmpty()) {
      page.heading("Findings");
      page.list(findings);
    }
    List<Integer> ds = rows.stream().map(BallsIntoBins.Row::choices).distinct().toList();
    List<Charts.Series> series = new ArrayList<>();
    for (int d : ds) {
      List<BallsIntoBins.Row> of = rows.stream().filter(r -> r.choices() == d).toList();
      double[] x = new double[of.size()];
      double[] lbkit = new double[of.size()];
      double[] textbook = new double[of.size()];
      double[] theory = new double[of.size()];
      for (int i = 0; i < of.size(); i++) {
        x[i] = Math.log10(of.get(i).bins());
        lbkit[i] = of.get(i).lbkit().mean();
        textbook[i] = of.get(i).textbook().mean();
        theory[i] = of.get(i).theory();
      }
      series.add(new Charts.Series("lbkit, d = " + d, x, lbkit));
      series.add(new Charts.Series("textbook, d = " + d, x, textbook));
      series.add(new Charts.Series("theory (leading term), d = " + d, x, theory));
    }
    page.chart(Charts.lines("Mean maximum load, n balls into n bins", "log10 n", "maximum load", series, false),
        1180, 460, "lbkit's pickers and the textbook greedy process, with the theory's leading term, per d.");
    page.meta(machine);
    return page;
  }
}
