package dev.lbkit.simulator.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A table of text: a header row and rows of cells, rendered into the HTML report and as
 * Markdown for the console and the README.
 *
 * @param id the HTML id
 * @param headers the header cells
 * @param rows the rows, each as long as the header
 */
public record Table(String id, List<String> headers, List<List<String>> rows) {

  /** Copies the lists. */
  public Table {
    headers = List.copyOf(headers);
    List<List<String>> copy = new ArrayList<>(rows.size());
    for (List<String> r : rows) {
      if (r.size() != headers.size()) {
        throw new IllegalArgumentException("row must have " + headers.size() + " cells, had " + r.size() + ": " + r);
      }
      copy.add(List.copyOf(r));
    }
    rows = List.copyOf(copy);
  }

  /** The table in GitHub Markdown, numbers right-aligned. */
  public String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("| ").append(String.join(" | ", headers)).append(" |\n|");
    for (int i = 0; i < headers.size(); i++) {
      b.append(i == 0 ? "---|" : "---:|");
    }
    b.append('\n');
    for (List<String> r : rows) {
      b.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    return b.toString();
  }

  /** Adds the table to {@code report}. */
  public void addTo(HtmlReport report) {
    report.table(id, headers, rows);
  }
}
