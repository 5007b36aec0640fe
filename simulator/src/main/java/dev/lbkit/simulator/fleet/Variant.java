package dev.lbkit.simulator.fleet;

import dev.lbkit.api.Algorithm;
import java.time.Duration;
import java.util.Objects;

/**
 * One way of balancing, run against the same fleet as the others of a scenario: the real lbkit
 * algorithm, the load view its pickers read, and the health inputs each client attaches.
 *
 * @param name the label in the report
 * @param algorithm the lbkit algorithm, shared by every client (algorithms are immutable)
 * @param view what the pickers believe each server's load to be
 * @param slowStart lb-health {@code SlowStart} with this window on every client, or null for none
 * @param outlierDetection whether every client attaches lb-health {@code OutlierDetection} with
 *     its defaults
 * @param key the hash key each request carries, for the consistent-hashing algorithms
 * @param ewmaDecay the balancers' latency EWMA decay time ({@code LoadBalancerBuilder.ewmaDecay}),
 *     or null for lbkit's default (10 s)
 * @param retry what may stop each client's retries (lb-okhttp's budget and throttle)
 * @param clientRate the open loop's arrival rate per client and second for this variant, which
 *     replaces the scenario's; 0 keeps the scenario's
 */
public record Variant(String name, Algorithm algorithm, View view, Duration slowStart,
    boolean outlierDetection, Key key, Duration ewmaDecay, RetryControl retry, double clientRate) {

  /** The hash key a request carries. */
  public enum Key {
    /** No key. */
    NONE,
    /** The client's identity: every request of a client hashes alike (affinity). */
    CLIENT,
    /** A random key per request. */
    REQUEST
  }

  /** Validates the fields. */
  public Variant {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("variant name must not be empty, was " + (name == null ? "null" : "'" + name + "'"));
    }
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(retry, "retry");
    if (!(clientRate >= 0) || Double.isInfinite(clientRate)) {
      throw new IllegalArgumentException("clientRate must be a finite number >= 0, was " + clientRate);
    }
    if (slowStart != null && (slowStart.isZero() || slowStart.isNegative())) {
      throw new IllegalArgumentException("slowStart must be positive, was " + slowStart);
    }
    if (ewmaDecay != null && (ewmaDecay.isZero() || ewmaDecay.isNegative())) {
      throw new IllegalArgumentException("ewmaDecay must be positive, was " + ewmaDecay);
    }
  }

  /** {@code algorithm} as lbkit runs it in production: own view, no health inputs, no key. */
  public static Variant of(String name, Algorithm algorithm) {
    return new Variant(name, algorithm, View.OWN, null, false, Key.NONE, null, RetryControl.NONE, 0);
  }

  /** This variant under another name. */
  public Variant named(String newName) {
    return new Variant(newName, algorithm, view, slowStart, outlierDetection, key, ewmaDecay, retry, clientRate);
  }

  /** This variant with another view. */
  public Variant withView(View newView) {
    return new Variant(name, algorithm, newView, slowStart, outlierDetection, key, ewmaDecay, retry, clientRate);
  }
}
