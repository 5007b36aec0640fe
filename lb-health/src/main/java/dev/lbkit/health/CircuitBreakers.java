package dev.lbkit.health;

import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Scheduler;
import java.time.Duration;
import java.util.Set;

/**
 * One Resilience4j {@code CircuitBreaker} per server, fed by the outcomes that picks report.
 *
 * <ul>
 *   <li><b>Closed → open</b> when the failure rate of the last {@code slidingWindowSize} calls
 *       (count-based, lock-free window) reaches {@code failureRateThreshold}, once {@code
 *       minimumNumberOfCalls} were recorded. Open means ejected, through the balancer's
 *       ejection cap: when the cap refuses, the breaker is closed again and keeps measuring,
 *       because a breaker that is open but still picked would only hide the failures.
 *   <li><b>Open → half-open</b> after {@code waitDurationInOpenState}, moved by this input's
 *       own timer on the injected clock: an unpicked server never asks the breaker for a
 *       permission, so it would never notice on its own.
 *   <li><b>Half-open</b> admits exactly one probe request at a time (an admission gate on the
 *       pick path); the next probe only after that one succeeded (Finagle's rule against
 *       flooding a recovering server). {@code halfOpenProbes} successes in a row close the
 *       breaker; a failure opens it again. A probe whose outcome is never reported frees its
 *       slot after the wait duration.
 * </ul>
 *
 * <p>The snapshot shows each server's breaker state under the detail key {@code breaker}.
 */
public final class CircuitBreakers {

  /** Default failure rate threshold, 50%: Resilience4j's default. */
  public static final int DEFAULT_FAILURE_RATE_THRESHOLD = 50;

  /**
   * Default sliding window, 20 calls: large enough that two unlucky calls do not reach 50%,
   * small enough to react within a second at modest traffic.
   */
  public static final int DEFAULT_SLIDING_WINDOW_SIZE = 20;

  /** Default minimum number of calls before the rate counts, 10: half the window. */
  public static final int DEFAULT_MINIMUM_NUMBER_OF_CALLS = 10;

  /**
   * Default open time, 10 s: matches the outlier detector's base ejection time, so both
   * passive signals give a server the same first break.
   */
  public static final Duration DEFAULT_WAIT_DURATION_IN_OPEN_STATE = Duration.ofSeconds(10);

  /** Default successful probes, one at a time, that close a half-open breaker: 1. */
  public static final int DEFAULT_HALF_OPEN_PROBES = 1;

  private CircuitBreakers() {}

  /** Starts a builder with the defaults above. */
  public static Builder builder() {
    return new Builder();
  }

  /** Configures the breakers; validated in {@link #build()}. Not thread-safe. */
  public static final class Builder {
    int failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
    int slidingWindowSize = DEFAULT_SLIDING_WINDOW_SIZE;
    int minimumNumberOfCalls = DEFAULT_MINIMUM_NUMBER_OF_CALLS;
    Duration waitDurationInOpenState = DEFAULT_WAIT_DURATION_IN_OPEN_STATE;
    int halfOpenProbes = DEFAULT_HALF_OPEN_PROBES;
    final PassiveSettings passive = new PassiveSettings();

    private Builder() {}

    /** Failure rate in percent that opens a breaker; in [1, 100]. */
    public Builder failureRateThreshold(int percent) {
      this.failureRateThreshold = percent;
      return this;
    }

    /** Calls in the count-based sliding window; at least 1. */
    public Builder slidingWindowSize(int calls) {
      this.slidingWindowSize = calls;
      return this;
    }

    /** Calls recorded before the rate counts; in [1, slidingWindowSize]. */
    public Builder minimumNumberOfCalls(int calls) {
      this.minimumNumberOfCalls = calls;
      return this;
    }

    /** How long a breaker stays open before its half-open probe; positive. */
    public Builder waitDurationInOpenState(Duration wait) {
      this.waitDurationInOpenState = wait;
      return this;
    }

    /** Successful probes, one at a time, that close a half-open breaker; at least 1. */
    public Builder halfOpenProbes(int probes) {
      this.halfOpenProbes = probes;
      return this;
    }

    /** The outcomes that count as failures; non-empty, never {@code SUCCESS} or {@code CANCELLED}. */
    public Builder failureOutcomes(Set<Outcome> outcomes) {
      passive.failureOutcomes(outcomes);
      return this;
    }

    /**
     * Where this input's timers run; default one daemon thread, {@code lbkit-health}, shared by
     * every health mechanism of the process. Health timer tasks are short and never block, so
     * one thread serves them all; a scheduler given here must run them promptly. Never share a
     * single-threaded scheduler given here with server sources ({@code lb-discovery}): their
     * refreshes may block for a whole DNS query timeout and would hold up checks and
     * re-admissions. Tests pass a virtual-time fake ({@code dev.lbkit.testing.FakeScheduler}).
     */
    public Builder scheduler(Scheduler scheduler) {
      passive.scheduler(scheduler);
      return this;
    }

    /**
     * Validates the settings and builds the input. Give each balancer its own input: a second
     * balancer's {@code build()} fails, naming both clusters.
     *
     * @throws IllegalArgumentException naming the field and the value of a bad setting
     */
    public HealthInput build() {
      if (failureRateThreshold < 1 || failureRateThreshold > 100) {
        throw new IllegalArgumentException("failureRateThreshold must be in [1, 100], was " + failureRateThreshold);
      }
      Checks.atLeast("slidingWindowSize", slidingWindowSize, 1);
      Checks.atLeast("minimumNumberOfCalls", minimumNumberOfCalls, 1);
      if (minimumNumberOfCalls > slidingWindowSize) {
        throw new IllegalArgumentException(
            "minimumNumberOfCalls must be at most slidingWindowSize (" + slidingWindowSize + "), was "
                + minimumNumberOfCalls);
      }
      Checks.positive("waitDurationInOpenState", waitDurationInOpenState);
      Checks.atLeast("halfOpenProbes", halfOpenProbes, 1);
      passive.validate();
      return new BreakerInput(this);
    }
  }
}
