package dev.lbkit.reliability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The suite's result table: one row per scenario (or per variant of one, such as "2 enqueue
 * h2c"), with its threshold, what was measured and the verdict.
 *
 * <p>A scenario test calls {@link #record} once per variant with what it measured, then asserts
 * the same threshold itself: the table reports, the assertion decides. {@link TablePrinter}
 * prints the table when the test plan ends and writes it to {@code target/reliability-table.md}.
 *
 * <p><b>Threading.</b> Safe for concurrent use.
 */
public final class ScenarioTable {

  /** One row of the table. */
  public record Row(String id, String scenario, String threshold, String measured, boolean pass) {}

  private static final List<Row> ROWS = new ArrayList<>();

  private ScenarioTable() {}

  /**
   * Records one row. {@code id} is the scenario's number in the table, with a suffix for
   * a variant ("2", "2 enqueue", "8b refuse"); rows print sorted by it.
   */
  public static void record(String id, String scenario, String threshold, String measured, boolean pass) {
    synchronized (ROWS) {
      ROWS.add(new Row(id, scenario, threshold, measured, pass));
    }
  }

  /** The rows recorded so far, sorted by scenario number, then by id. */
  public static List<Row> rows() {
    synchronized (ROWS) {
      return sorted(ROWS);
    }
  }

  /** The recorded rows as a Markdown table. */
  public static String markdown() {
    return markdown(rows());
  }

  static List<Row> sorted(List<Row> rows) {
    List<Row> copy = new ArrayList<>(rows);
    copy.sort(Comparator.comparingInt((Row r) -> number(r.id())).thenComparing(Row::id));
    return copy;
  }

  static String markdown(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("| # | Scenario | Threshold | Measured | Verdict |\n");
    sb.append("|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append("| ").append(r.id())
          .append(" | ").append(r.scenario())
          .append(" | ").append(r.threshold())
          .append(" | ").append(r.measured())
          .append(" | ").append(r.pass() ? "pass" : "FAIL")
          .append(" |\n");
    }
    return sb.toString();
  }

  private static int number(String id) {
    int end = 0;
    while (end < id.length() && Character.isDigit(id.charAt(end))) {
      end++;
    }
    return end == 0 ? Integer.MAX_VALUE : Integer.parseInt(id.substring(0, end));
  }
}
