package dev.lbkit.simulator.fleet;

import dev.lbkit.api.Ticker;
import dev.lbkit.api.internal.RetryBackoff;
import dev.lbkit.api.internal.RetryBudget;
import dev.lbkit.api.internal.RetryThrottle;
import java.time.Duration;
import java.util.Objects;

/**
 * How a client retries, as lb-okhttp runs it: the backoff before each retry, Finagle's retry
 * budget, and the throttle that refuses retries while the cluster as a whole is failing. All
 * three are lb-okhttp's own classes ({@link RetryBackoff}, {@link RetryBudget}, {@link
 * RetryThrottle}), one budget and one throttle per client, on the virtual clock; the backoff's
 * jitter draws from the client's random stream. The attempt limit is the scenario's {@code
 * attempts}.
 *
 * @param budget the budget's settings, or null for none
 * @param throttle the throttle's settings, or null for none
 * @param backoff the wait before each retry
 */
public record RetryControl(Budget budget, Throttle throttle, RetryBackoff backoff) {

  /**
   * Neither budget nor throttle, lb-okhttp's default backoff: every retryable failure retries, up
   * to the attempt limit.
   */
  public static final RetryControl NONE = new RetryControl(null, null);

  /** {@code budget} and {@code throttle} (either may be null) with lb-okhttp's default backoff. */
  public RetryControl(Budget budget, Throttle throttle) {
    this(budget, throttle, RetryBackoff.DEFAULT);
  }

  /** Requires a backoff. */
  public RetryControl {
    Objects.requireNonNull(backoff, "backoff");
  }

  /** {@code RetryPolicy.Builder.budget(percent, minPerSecond, window)}. */
  public record Budget(int percent, int minPerSecond, Duration window) {
    /** Validates the settings, as {@link RetryBudget} does. */
    public Budget {
      new RetryBudget(percent, minPerSecond, window, () -> 0L);
    }
  }

  /** {@code RetryPolicy.Builder.throttle(window, minAttempts, minSuccessPercent)}. */
  public record Throttle(int window, int minAttempts, int minSuccessPercent) {
    /** Validates the settings, as {@link RetryThrottle} does. */
    public Throttle {
      new RetryThrottle(window, minAttempts, minSuccessPercent);
    }
  }

  /** A client's live budget, or null. */
  RetryBudget newBudget(Ticker ticker) {
    return budget == null ? null : new RetryBudget(budget.percent(), budget.minPerSecond(), budget.window(), ticker);
  }

  /** A client's live throttle, or null. */
  RetryThrottle newThrottle() {
    return throttle == null ? null : new RetryThrottle(throttle.window(), throttle.minAttempts(), throttle.minSuccessPercent());
  }

  @Override
  public String toString() {
    if (budget == null && throttle == null && backoff.equals(RetryBackoff.DEFAULT)) {
      return "no budget";
    }
    String b = budget == null ? "no budget" : "budget " + budget.percent() + "% + " + budget.minPerSecond() + "/s over "
        + budget.window().toSeconds() + " s";
    String t = throttle == null ? b : b + ", throttle " + throttle.minSuccessPercent() + "% of the last " + throttle.window();
    return backoff.equals(RetryBackoff.DEFAULT) ? t : t + ", backoff " + backoff;
  }
}
