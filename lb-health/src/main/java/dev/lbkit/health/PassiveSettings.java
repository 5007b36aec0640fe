package dev.lbkit.health;

import dev.lbkit.api.Outcome;
import dev.lbkit.api.Scheduler;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The settings that the two outcome-fed inputs, {@link OutlierDetection} and {@link
 * CircuitBreakers}, share: which outcomes count as failures, and the timer. Each builder holds
 * one and forwards its public setters to it, so that the defaults, the copy and the validation
 * message are defined once.
 *
 * <p>Not thread-safe, like the builders that hold it.
 */
final class PassiveSettings {

  Set<Outcome> failures = defaultFailures();
  Scheduler scheduler = SharedScheduler.INSTANCE;

  /**
   * The default failures: every outcome the server can be blamed for ({@link
   * Outcome#isFailure()}), that is connect failures, timeouts, 5xx and broken exchanges.
   */
  private static Set<Outcome> defaultFailures() {
    return EnumSet.of(Outcome.CONNECT_FAILURE, Outcome.TIMEOUT, Outcome.SERVER_ERROR, Outcome.IO_ERROR);
  }

  /** Copies {@code outcomes}; validated in {@link #validate}. */
  void failureOutcomes(Set<Outcome> outcomes) {
    // EnumSet.copyOf rejects an empty collection that is no EnumSet; validate() names that case.
    this.failures = EnumSet.noneOf(Outcome.class);
    this.failures.addAll(Objects.requireNonNull(outcomes, "failureOutcomes"));
  }

  /** Sets the timer; checked at once, as every builder checks its {@code scheduler}. */
  void scheduler(Scheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  /**
   * Checks the failure outcomes: not empty, and never {@code SUCCESS} or {@code CANCELLED}.
   *
   * @throws IllegalArgumentException naming the field and the value
   */
  void validate() {
    if (failures.isEmpty() || failures.contains(Outcome.SUCCESS) || failures.contains(Outcome.CANCELLED)) {
      throw new IllegalArgumentException("failureOutcomes must be non-empty failures only, was " + failures);
    }
  }

  /** Whether each outcome, by ordinal, counts as a failure: the inputs' hot-path lookup. */
  boolean[] failureTable() {
    boolean[] counted = new boolean[Outcome.values().length];
    for (Outcome o : failures) {
      counted[o.ordinal()] = true;
    }
    return counted;
  }
}
