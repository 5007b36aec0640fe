package dev.lbkit.okhttp;

import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Ticker;
import dev.lbkit.api.internal.RetryBackoff;
import dev.lbkit.api.internal.RetryBudget;
import dev.lbkit.api.internal.RetryThrottle;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * When and how a balanced call is retried, following RFC 9110 §9.2.2.
 *
 * <ul>
 *   <li>A retry always goes to a server not yet tried by this call; when none is left, the last
 *       result stands. The exception: after an attempt that failed on a stale pooled connection,
 *       the retry opens a fresh connection, on the same server when no other is left (see the
 *       README, "Known behaviours").
 *   <li>Methods in {@link #idempotentMethods()} are retried after a connection failure, a
 *       timeout, an I/O error, or a response whose status is in {@link #retryableStatuses()}.
 *   <li>Any other method (POST, PATCH) is retried only when the request certainly never reached
 *       a server: no connection to the server was established, or writing the request body
 *       failed, so no server has the whole request.
 *   <li>At most {@link #maxAttempts()} attempts, separated by exponential backoff with jitter:
 *       retry k waits min({@link #maxBackoff()}, {@link #initialBackoff()} × {@link
 *       #multiplier()}^(k−1)) scaled by a uniform factor within ±{@link #jitter()}, capped at
 *       {@link #maxBackoff()} (Resilience4j's randomized exponential backoff, drawn from the
 *       client's {@code LbConfig.Builder.random}).
 *   <li>A retry budget (Finagle's design) caps retries at {@link #budgetPercent()}% of requests
 *       plus {@link #budgetMinPerSecond()} per second, over a {@link #budgetWindow()}, so that
 *       retries cannot multiply the load of an outage. Each cluster of each wrapped client has
 *       its own budget.
 *   <li>A retry throttle stops retries while the cluster as a whole is failing: while fewer than
 *       {@link #throttleMinSuccessPercent()}% of the cluster's last {@link #throttleWindow()}
 *       attempts succeeded (once at least {@link #throttleMinAttempts()} are known). One failing
 *       server among healthy ones does not close it, so retries still route around that server.
 *       Each cluster of each wrapped client has its own throttle. The README (Known behaviours)
 *       and {@code RetryThrottle} say why a success rate rather than gRPC's token bucket.
 *   <li>A response is final once its headers arrive, unless {@link
 *       Builder#retryTruncatedBodies(long)} has small bodies read in full first, so that one cut
 *       off mid-way is retried.
 * </ul>
 */
public final class RetryPolicy {

  /** Default attempts, 3 (a first try and two retries): enough to skip two bad servers. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /** Default first backoff, 25 ms: Envoy's base retry interval. */
  public static final Duration DEFAULT_INITIAL_BACKOFF = RetryBackoff.DEFAULT_INITIAL;

  /** Default backoff cap, 250 ms: Envoy's default (ten times the base interval). */
  public static final Duration DEFAULT_MAX_BACKOFF = RetryBackoff.DEFAULT_MAX;

  /** Default backoff growth per retry, 2: the usual exponential doubling. */
  public static final double DEFAULT_MULTIPLIER = RetryBackoff.DEFAULT_MULTIPLIER;

  /** Default jitter, ±50%: spreads synchronized retries of many clients apart. */
  public static final double DEFAULT_JITTER = RetryBackoff.DEFAULT_JITTER;

  /**
   * Default budget share, 30% of requests. Finagle's {@code RetryBudget} default is 20%, but one
   * dead server in five then needs more: round robin sends it a quarter of first attempts (each
   * retry moves the rotation on past it), so 25% of calls retry, and a 20% budget failed 400 of
   * 11,000 calls at 1,000 calls/s. Storms, where the budget used to be the only limit, are
   * stopped by the retry throttle.
   */
  public static final int DEFAULT_BUDGET_PERCENT = 30;

  /** Default budget floor, 10 retries per second: Finagle's, so that low traffic can retry. */
  public static final int DEFAULT_BUDGET_MIN_PER_SECOND = 10;

  /** Default budget window, 10 s: Finagle's time-to-live for deposits. */
  public static final Duration DEFAULT_BUDGET_WINDOW = Duration.ofSeconds(10);

  /**
   * Default throttle window, the last 20 attempts of the cluster: long enough that one failing
   * server in five never empties it of successes by chance (17 failures in 20 at a 1-in-5
   * failure rate is below 10<sup>-9</sup>), short enough that a cluster failing as a whole
   * closes it within about 11 retries.
   */
  public static final int DEFAULT_THROTTLE_WINDOW = 20;

  /**
   * Default outcomes needed before the throttle judges, 10: a cold client retries its first few
   * calls (at most 6 retries when every server fails) rather than refuse retries on one or two
   * unlucky outcomes.
   */
  public static final int DEFAULT_THROTTLE_MIN_ATTEMPTS = 10;

  /**
   * Default success rate under which retries stop, 20%: a cluster failing as a whole shows 0%;
   * one, three or four failing servers in five show about 80%, 47% and 25%, and keep retrying.
   */
  public static final int DEFAULT_THROTTLE_MIN_SUCCESS_PERCENT = 20;

  /** The idempotent methods of RFC 9110 §9.2.2 (TRACE included; it has no body). */
  public static final Set<String> DEFAULT_IDEMPOTENT_METHODS =
      Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

  /** Default retried statuses: 502, 503 and 504, which say the server did not process it. */
  public static final Set<Integer> DEFAULT_RETRYABLE_STATUSES = Set.of(502, 503, 504);

  /** The largest {@link #truncatedBodyLimit()} accepted: 16 MiB. */
  public static final long MAX_TRUNCATED_BODY_LIMIT = 16L << 20;

  /** The defaults above. */
  public static final RetryPolicy DEFAULT = builder().build();

  /** No retries at all: every call has exactly one attempt. */
  public static final RetryPolicy NONE = builder().maxAttempts(1).build();

  private final int maxAttempts;
  private final Set<String> idempotentMethods;
  private final Set<Integer> retryableStatuses;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double multiplier;
  private final double jitter;
  private final int budgetPercent;
  private final int budgetMinPerSecond;
  private final Duration budgetWindow;
  private final int throttleWindow;
  private final int throttleMinAttempts;
  private final int throttleMinSuccessPercent;
  private final long truncatedBodyLimit;
  private final RetryBackoff backoff;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.idempotentMethods = Set.copyOf(b.idempotentMethods);
    this.retryableStatuses = Set.copyOf(b.retryableStatuses);
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.multiplier = b.multiplier;
    this.jitter = b.jitter;
    this.budgetPercent = b.budgetPercent;
    this.budgetMinPerSecond = b.budgetMinPerSecond;
    this.budgetWindow = b.budgetWindow;
    this.throttleWindow = b.throttleWindow;
    this.throttleMinAttempts = b.throttleMinAttempts;
    this.throttleMinSuccessPercent = b.throttleMinSuccessPercent;
    this.truncatedBodyLimit = b.truncatedBodyLimit;
    this.backoff = new RetryBackoff(initialBackoff, maxBackoff, multiplier, jitter);
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Attempts per request, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Methods retried after failures and retryable statuses (upper case). */
  public Set<String> idempotentMethods() {
    return idempotentMethods;
  }

  /** Response statuses retried for idempotent methods. */
  public Set<Integer> retryableStatuses() {
    return retryableStatuses;
  }

  /** Backoff before the first retry (before jitter). */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** Cap of the backoff. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** Backoff growth factor per retry. */
  public double multiplier() {
    return multiplier;
  }

  /** Jitter as a fraction: a backoff b becomes uniform in [b(1-j), b(1+j)]. */
  public double jitter() {
    return jitter;
  }

  /** Retries allowed as a percentage of requests in the budget window. */
  public int budgetPercent() {
    return budgetPercent;
  }

  /** Retries allowed per second regardless of traffic. */
  public int budgetMinPerSecond() {
    return budgetMinPerSecond;
  }

  /** How long a request's deposit into the budget lasts. */
  public Duration budgetWindow() {
    return budgetWindow;
  }

  /** A new retry budget of this policy, on {@code ticker}'s clock: one per cluster. */
  RetryBudget newBudget(Ticker ticker) {
    return new RetryBudget(budgetPercent, budgetMinPerSecond, budgetWindow, ticker);
  }

  /** A new retry throttle of this policy: one per cluster. */
  RetryThrottle newThrottle() {
    return new RetryThrottle(throttleWindow, throttleMinAttempts, throttleMinSuccessPercent);
  }

  /** How many of the cluster's latest attempts the retry throttle looks at. */
  public int throttleWindow() {
    return throttleWindow;
  }

  /** How many outcomes the retry throttle needs before it may refuse a retry. */
  public int throttleMinAttempts() {
    return throttleMinAttempts;
  }

  /** The success rate, in percent of the window, under which retries stop; 0 disables the throttle. */
  public int throttleMinSuccessPercent() {
    return throttleMinSuccessPercent;
  }

  /**
   * The largest declared response length read in full before the response is handed back, so
   * that a body cut off mid-way is retried; 0 when bodies always stream. See {@link
   * Builder#retryTruncatedBodies(long)}.
   */
  public long truncatedBodyLimit() {
    return truncatedBodyLimit;
  }

  /** Backoff before retry number {@code retry} (from 1), in nanoseconds, its jitter drawn from {@code random}. */
  long backoffNanos(int retry, RandomSource random) {
    return backoff.nanos(retry, random);
  }

  boolean isIdempotent(String method) {
    return idempotentMethods.contains(method);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof RetryPolicy)) {
      return false;
    }
    RetryPolicy p = (RetryPolicy) o;
    return maxAttempts == p.maxAttempts
        && idempotentMethods.equals(p.idempotentMethods)
        && retryableStatuses.equals(p.retryableStatuses)
        && initialBackoff.equals(p.initialBackoff)
        && maxBackoff.equals(p.maxBackoff)
        && multiplier == p.multiplier
        && jitter == p.jitter
        && budgetPercent == p.budgetPercent
        && budgetMinPerSecond == p.budgetMinPerSecond
        && budgetWindow.equals(p.budgetWindow)
        && throttleWindow == p.throttleWindow
        && throttleMinAttempts == p.throttleMinAttempts
        && throttleMinSuccessPercent == p.throttleMinSuccessPercent
        && truncatedBodyLimit == p.truncatedBodyLimit;
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxAttempts, idempotentMethods, retryableStatuses, initialBackoff, maxBackoff,
        multiplier, jitter, budgetPercent, budgetMinPerSecond, budgetWindow, throttleWindow, throttleMinAttempts,
        throttleMinSuccessPercent, truncatedBodyLimit);
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts=" + maxAttempts + ", idempotent=" + new TreeSet<>(idempotentMethods)
        + ", statuses=" + new TreeSet<>(retryableStatuses) + ", backoff=" + initialBackoff + ".."
        + maxBackoff + " x" + multiplier + " ±" + jitter + ", budget=" + budgetPercent + "% + "
        + budgetMinPerSecond + "/s over " + budgetWindow + ", throttle=" + throttleMinSuccessPercent
        + "% of the last " + throttleWindow + " attempts (after " + throttleMinAttempts + ")"
        + (truncatedBodyLimit > 0 ? ", truncated bodies up to " + truncatedBodyLimit + " bytes" : "") + "}";
  }

  /** Builds a {@link RetryPolicy}; {@link #build()} validates every field. */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Set<String> idempotentMethods = DEFAULT_IDEMPOTENT_METHODS;
    private Set<Integer> retryableStatuses = DEFAULT_RETRYABLE_STATUSES;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private double multiplier = DEFAULT_MULTIPLIER;
    private double jitter = DEFAULT_JITTER;
    private int budgetPercent = DEFAULT_BUDGET_PERCENT;
    private int budgetMinPerSecond = DEFAULT_BUDGET_MIN_PER_SECOND;
    private Duration budgetWindow = DEFAULT_BUDGET_WINDOW;
    private int throttleWindow = DEFAULT_THROTTLE_WINDOW;
    private int throttleMinAttempts = DEFAULT_THROTTLE_MIN_ATTEMPTS;
    private int throttleMinSuccessPercent = DEFAULT_THROTTLE_MIN_SUCCESS_PERCENT;
    private long truncatedBodyLimit;

    private Builder() {}

    /** Attempts per request including the first, in [1, 10]. */
    public Builder maxAttempts(int attempts) {
      this.maxAttempts = attempts;
      return this;
    }

    /** Methods retried after failures (matched case-sensitively after upper-casing). */
    public Builder idempotentMethods(Set<String> methods) {
      Objects.requireNonNull(methods, "idempotentMethods");
      Set<String> upper = new TreeSet<>();
      for (String m : methods) {
        upper.add(Objects.requireNonNull(m, "method").toUpperCase(Locale.ROOT));
      }
      this.idempotentMethods = upper;
      return this;
    }

    /** Statuses retried for idempotent methods, each in [500, 599]. */
    public Builder retryableStatuses(Set<Integer> statuses) {
      this.retryableStatuses = new TreeSet<>(Objects.requireNonNull(statuses, "retryableStatuses"));
      return this;
    }

    /** Exponential backoff: first interval, cap and growth factor. Zero initial means none. */
    public Builder backoff(Duration initial, Duration max, double multiplier) {
      this.initialBackoff = Objects.requireNonNull(initial, "initialBackoff");
      this.maxBackoff = Objects.requireNonNull(max, "maxBackoff");
      this.multiplier = multiplier;
      return this;
    }

    /** Jitter fraction in [0, 1). */
    public Builder jitter(double fraction) {
      this.jitter = fraction;
      return this;
    }

    /** Retry budget: {@code percent}% of requests plus {@code minPerSecond} per second. */
    public Builder budget(int percent, int minPerSecond, Duration window) {
      this.budgetPercent = percent;
      this.budgetMinPerSecond = minPerSecond;
      this.budgetWindow = Objects.requireNonNull(window, "budgetWindow");
      return this;
    }

    /**
     * Retry throttle: retries stop while fewer than {@code minSuccessPercent}% of the cluster's
     * last {@code window} attempts succeeded, once at least {@code minAttempts} are known. {@code
     * window} in [1, 10000], {@code minAttempts} in [1, window], {@code minSuccessPercent} in [0,
     * 100]; 0 disables the throttle.
     */
    public Builder throttle(int window, int minAttempts, int minSuccessPercent) {
      this.throttleWindow = window;
      this.throttleMinAttempts = minAttempts;
      this.throttleMinSuccessPercent = minSuccessPercent;
      return this;
    }

    /**
     * Retries a response whose body is cut off, as when its server is killed mid-response. The
     * response of an idempotent request that may still be retried is read in full before it is
     * handed back when its declared {@code Content-Length} is at most {@code maxBytes}; a
     * connection lost while reading it fails that attempt, and the request is retried like one
     * that failed before its headers (another server, the same backoff, budget and throttle).
     * The caller then gets the whole body from memory, and the selection completes when the body
     * has been read, not when the caller closes it.
     *
     * <p>0, the default, turns this off: bodies stream to the caller as they arrive, and a
     * connection lost mid-body fails the caller's read, not the call. gRPC and Envoy behave so:
     * a response is committed once its headers arrive. Responses of unknown length (chunked,
     * server-sent events) and larger ones always stream. In [0, {@link
     * #MAX_TRUNCATED_BODY_LIMIT}].
     */
    public Builder retryTruncatedBodies(long maxBytes) {
      this.truncatedBodyLimit = maxBytes;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the bad field and its value
     */
    public RetryPolicy build() {
      if (maxAttempts < 1 || maxAttempts > 10) {
        throw new IllegalArgumentException("maxAttempts must be in [1, 10], was " + maxAttempts);
      }
      for (Integer s : retryableStatuses) {
        if (s == null || s < 500 || s > 599) {
          throw new IllegalArgumentException("retryableStatuses must be in [500, 599], was " + s);
        }
      }
      new RetryBackoff(initialBackoff, maxBackoff, multiplier, jitter); // validates the four
      if (budgetPercent < 0 || budgetPercent > 1000) {
        throw new IllegalArgumentException("budgetPercent must be in [0, 1000], was " + budgetPercent);
      }
      if (budgetMinPerSecond < 0) {
        throw new IllegalArgumentException("budgetMinPerSecond must be >= 0, was " + budgetMinPerSecond);
      }
      if (budgetWindow.compareTo(Duration.ofSeconds(1)) < 0 || budgetWindow.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("budgetWindow must be in [PT1S, PT1M], was " + budgetWindow);
      }
      if (throttleWindow < 1 || throttleWindow > 10_000) {
        throw new IllegalArgumentException("throttleWindow must be in [1, 10000], was " + throttleWindow);
      }
      if (throttleMinAttempts < 1 || throttleMinAttempts > throttleWindow) {
        throw new IllegalArgumentException("throttleMinAttempts must be in [1, throttleWindow " + throttleWindow
            + "], was " + throttleMinAttempts);
      }
      if (throttleMinSuccessPercent < 0 || throttleMinSuccessPercent > 100) {
        throw new IllegalArgumentException(
            "throttleMinSuccessPercent must be in [0, 100], was " + throttleMinSuccessPercent);
      }
      if (truncatedBodyLimit < 0 || truncatedBodyLimit > MAX_TRUNCATED_BODY_LIMIT) {
        throw new IllegalArgumentException("truncatedBodyLimit must be in [0, " + MAX_TRUNCATED_BODY_LIMIT
            + "], was " + truncatedBodyLimit);
      }
      return new RetryPolicy(this);
    }
  }
}
