package dev.lbkit.health;

import java.time.Duration;
import java.util.Objects;

/** Validation and formatting shared by the builders; messages name the field and the value. */
final class Checks {

  private Checks() {}

  static Duration positive(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(field + " must be positive, was " + format(value));
    }
    return value;
  }

  static Duration notNegative(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isNegative()) {
      throw new IllegalArgumentException(field + " must not be negative, was " + format(value));
    }
    return value;
  }

  static int atLeast(String field, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be at least " + min + ", was " + value);
    }
    return value;
  }

  static int percent(String field, int value) {
    if (value < 0 || value > 100) {
      throw new IllegalArgumentException(field + " must be in [0, 100], was " + value);
    }
    return value;
  }

  /** Formats a duration the way people write it: 500ms, 2s, 1m30s. */
  static String format(Duration d) {
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    long ms = d.toMillis();
    if (d.toNanos() % 1_000_000 != 0 || ms == 0) {
      return d.toNanos() + "ns";
    }
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s < 60 || s % 60 != 0 && s < 600) {
      return s + "s";
    }
    return s % 60 == 0 ? (s / 60) + "m" : (s / 60) + "m" + (s % 60) + "s";
  }
}
