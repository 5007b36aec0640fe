package dev.lbkit.micrometer;

import java.util.Locale;

/**
 * Sorts an ejection's reason text into a small fixed set, fit for a {@code reason} tag: the text
 * itself carries counts and thresholds ({@code 5 consecutive failures (last: SERVER_ERROR)}),
 * which would make a series per value.
 *
 * <p>The kinds follow lb-health's inputs: Envoy's outlier detection (consecutive failures,
 * failure percentage, success rate) and the circuit breaker. Any other text, such as a custom
 * health input's, is {@code other}.
 */
final class EjectionReasons {
  private EjectionReasons() {}

  /** The kind of an ejection reason text; never null. */
  static String kind(String reason) {
    if (reason == null) {
      return "other";
    }
    String r = reason.toLowerCase(Locale.ROOT);
    if (r.contains("circuit breaker")) {
      return "circuit_breaker";
    }
    if (r.contains("consecutive")) {
      return "consecutive_failures";
    }
    if (r.contains("% failures") || r.contains("failure percentage")) {
      return "failure_percentage";
    }
    if (r.contains("success rate")) {
      return "success_rate";
    }
    return "other";
  }

  /** The reason text of an ejected health state's {@code reason()} ({@code "ejected: ..."}). */
  static String ofStateReason(String stateReason) {
    String prefix = "ejected: ";
    return kind(stateReason.startsWith(prefix) ? stateReason.substring(prefix.length()) : stateReason);
  }
}
