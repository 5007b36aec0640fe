package dev.lbkit.micrometer;

import dev.lbkit.api.Outcome;
import java.util.Locale;

/**
 * Tag and key values that events carry as numbers or enums, as strings made once: status codes,
 * attempt numbers and outcomes. The meters and observations of every call need them, and making
 * them per call (an {@code Integer.toString}, a {@code toLowerCase}) was a share of the listener's
 * cost per call.
 *
 * <p>Threading: immutable tables; safe from any thread.
 */
final class TagValues {
  private static final int FIRST_STATUS = 100;
  private static final String[] STATUS = new String[500];
  /** Attempt numbers with a cached value; a call rarely makes more. */
  private static final String[] ATTEMPT = new String[16];
  private static final String[] OUTCOME = new String[Outcome.values().length];

  static {
    for (int i = 0; i < STATUS.length; i++) {
      STATUS[i] = Integer.toString(FIRST_STATUS + i);
    }
    for (int i = 0; i < ATTEMPT.length; i++) {
      ATTEMPT[i] = Integer.toString(i);
    }
    for (Outcome o : Outcome.values()) {
      OUTCOME[o.ordinal()] = o.name().toLowerCase(Locale.ROOT);
    }
  }

  private TagValues() {}

  /** {@code Integer.toString(code)}, from a table for 100 to 599. */
  static String status(int code) {
    int i = code - FIRST_STATUS;
    return i >= 0 && i < STATUS.length ? STATUS[i] : Integer.toString(code);
  }

  /** {@code Integer.toString(number)}, from a table for small numbers. */
  static String attempt(int number) {
    return number >= 0 && number < ATTEMPT.length ? ATTEMPT[number] : Integer.toString(number);
  }

  /** The outcome's name in lower case, as every outcome tag shows it. */
  static String outcome(Outcome outcome) {
    return OUTCOME[outcome.ordinal()];
  }
}
