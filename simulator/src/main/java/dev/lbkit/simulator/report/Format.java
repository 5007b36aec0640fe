package dev.lbkit.simulator.report;

import java.util.Locale;

/** Number formats shared by the reports and the Markdown summaries. */
public final class Format {

  private Format() {}

  /** Nanoseconds as milliseconds, with three significant digits: {@code 0.412}, {@code 18.3}, {@code 1,840}. */
  public static String millis(double nanos) {
    if (Double.isNaN(nanos)) {
      return "–";
    }
    double ms = nanos / 1e6;
    if (ms >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", ms);
    }
    if (ms >= 100) {
      return String.format(Locale.ROOT, "%.0f", ms);
    }
    if (ms >= 10) {
      return String.format(Locale.ROOT, "%.1f", ms);
    }
    if (ms >= 1) {
      return String.format(Locale.ROOT, "%.2f", ms);
    }
    return String.format(Locale.ROOT, "%.3f", ms);
  }

  /** A count with thousands separators. */
  public static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** A ratio with {@code digits} decimals. */
  public static String ratio(double r, int digits) {
    return Double.isNaN(r) ? "–" : String.format(Locale.ROOT, "%." + digits + "f", r);
  }

  /** A share as a percentage with the given decimals. */
  public static String percent(double share, int digits) {
    return Double.isNaN(share) ? "–" : String.format(Locale.ROOT, "%." + digits + "f%%", 100 * share);
  }
}
