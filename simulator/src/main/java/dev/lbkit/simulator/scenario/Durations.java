package dev.lbkit.simulator.scenario;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as scenario files write them: a number and a unit, {@code 250us}, {@code 10ms},
 * {@code 1.5s}, {@code 2m}, {@code 1h}, or {@code 0}. A bare number other than 0 is refused: its
 * unit would be a guess.
 */
final class Durations {

  private static final Pattern SYNTAX = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(ns|us|µs|ms|s|m|h)\\s*");

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException quoting the text when it is not a duration
   */
  static Duration parse(String text) {
    if (text.trim().equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = SYNTAX.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "a duration is a number and a unit (ns, us, ms, s, m, h), as 10ms or 1.5s; was '" + text + "'");
    }
    BigDecimal value = new BigDecimal(m.group(1));
    long unitNanos = switch (m.group(2)) {
      case "ns" -> 1L;
      case "us", "µs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      default -> 3_600_000_000_000L;
    };
    return Duration.ofNanos(value.multiply(BigDecimal.valueOf(unitNanos)).longValueExact());
  }

  /** Formats {@code d} in the largest unit that keeps it short: {@code 250us}, {@code 1.5s}. */
  static String format(Duration d) {
    long n = d.toNanos();
    if (n == 0) {
      return "0";
    }
    if (n % 60_000_000_000L == 0 && n >= 60_000_000_000L) {
      return n / 60_000_000_000L + "m";
    }
    if (n >= 1_000_000_000L) {
      return strip(n / 1e9) + "s";
    }
    if (n >= 1_000_000L) {
      return strip(n / 1e6) + "ms";
    }
    if (n >= 1_000L) {
      return strip(n / 1e3) + "us";
    }
    return n + "ns";
  }

  private static String strip(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  /** The Jackson deserializer for {@link Duration} fields of scenario files. */
  static final class Deserializer extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      try {
        return parse(p.getValueAsString());
      } catch (IllegalArgumentException e) {
        throw ctx.weirdStringException(p.getText(), Duration.class, e.getMessage());
      }
    }
  }
}
