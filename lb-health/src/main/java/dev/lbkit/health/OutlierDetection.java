package dev.lbkit.health;

import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Scheduler;
import java.time.Duration;
import java.util.Set;

/**
 * Passive outlier detection: ejects servers whose real traffic fails, from the outcomes that
 * {@code Selection.complete} reports.
 *
 * <ul>
 *   <li><b>Consecutive failures</b> (default {@value #DEFAULT_CONSECUTIVE_FAILURES}): the report
 *       that makes the streak reach the threshold ejects the server inline, on the reporting
 *       thread, through the balancer's serialized control plane; no timer is involved.
 *   <li><b>Failure percentage</b> (default {@value #DEFAULT_FAILURE_PERCENTAGE}% over a sliding
 *       {@link #DEFAULT_WINDOW 10 s} window of 10 buckets, once at least {@value
 *       #DEFAULT_MINIMUM_REQUESTS} requests were seen): evaluated at each bucket boundary.
 *   <li><b>Ejection time</b> is {@code baseEjectionTime × n}, where n counts this server's
 *       ejections, capped at {@code maxEjectionTime}. n decreases by one per window in which
 *       the server stays admitted, so a server that behaves is forgiven. When the time expires
 *       the server is re-admitted, with a clean slate.
 *   <li><b>The cap</b> is the balancer's: {@code LoadBalancer.maxEjectionPercent} (default
 *       10%, at least one server in clusters of two or more, never the last pickable server),
 *       counted across every input, circuit breakers included. A refused ejection is retried at
 *       the next multiple of the threshold or the next evaluation.
 *   <li><b>Active checks release ejections</b> (default on, Envoy's {@code
 *       successful_active_health_check_uneject_host}): when an active check on the same balancer
 *       passes on an ejected server whose verdict is healthy, the ejection ends at once, with a
 *       clean slate, and the server's slot under the cap is free for the next server that fails.
 *       See {@link Builder#unejectOnActiveCheckSuccess}.
 * </ul>
 *
 * <p>Which outcomes count as failures is configurable; by default every {@link
 * Outcome#isFailure()} outcome (connect failure, timeout, 5xx, I/O error). Cancelled calls
 * never count. Other outcomes are neutral: they neither extend nor break a streak.
 */
public final class OutlierDetection {

  /** Default consecutive failures, 5: Envoy's and gRPC's default. */
  public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;

  /**
   * Default failure percentage, 85%: Envoy's default. Far above what a healthy server sees, so
   * only a server that fails most of its traffic is ejected on this signal.
   */
  public static final int DEFAULT_FAILURE_PERCENTAGE = 85;

  /**
   * Default minimum requests in the window, 50: Envoy's default; below it a percentage is too
   * noisy to act on.
   */
  public static final int DEFAULT_MINIMUM_REQUESTS = 50;

  /** Default window, 10 s: Envoy's and gRPC's evaluation interval. */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);

  /**
   * Default base ejection time, 10 s (Envoy uses 30 s). Each client ejects on its own view,
   * and a client-side blip (its own GC pause, a saturated NIC) can eject a good server: 10 s
   * bounds that loss, while the multiplier quickly backs a really bad server off (10, 20, 30 s
   * ...).
   */
  public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(10);

  /**
   * Default maximum ejection time, 120 s (Envoy uses 300 s): a persistently bad server is
   * retried at least every two minutes, so a fixed server rejoins about as fast as a
   * conservative active check (90 s) would notice.
   */
  public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofSeconds(120);

  /**
   * Default for lifting an ejection when an active check passes on a server whose verdict is
   * healthy, true: Envoy's {@code successful_active_health_check_uneject_host}. A server that recovered and passed its
   * checks would otherwise keep its ejection, and with it one of the few ejection slots the cap
   * allows (one in a cluster of three at the default 10%), for up to {@link
   * #DEFAULT_MAX_EJECTION_TIME}; the next server to fail could then not be ejected.
   */
  public static final boolean DEFAULT_UNEJECT_ON_ACTIVE_CHECK_SUCCESS = true;

  /** Buckets of the sliding window: 10 gives a 10% granularity at a small cost. */
  static final int BUCKETS = 10;

  private OutlierDetection() {}

  /** Starts a builder with the defaults above. */
  public static Builder builder() {
    return new Builder();
  }

  /** Configures outlier detection; validated in {@link #build()}. Not thread-safe. */
  public static final class Builder {
    int consecutiveFailures = DEFAULT_CONSECUTIVE_FAILURES;
    int failurePercentage = DEFAULT_FAILURE_PERCENTAGE;
    int minimumRequests = DEFAULT_MINIMUM_REQUESTS;
    boolean failurePercentageEnabled = true;
    Duration window = DEFAULT_WINDOW;
    Duration baseEjectionTime = DEFAULT_BASE_EJECTION_TIME;
    Duration maxEjectionTime = DEFAULT_MAX_EJECTION_TIME;
    boolean unejectOnActiveCheckSuccess = DEFAULT_UNEJECT_ON_ACTIVE_CHECK_SUCCESS;
    final PassiveSettings passive = new PassiveSettings();

    private Builder() {}

    /** Failures in a row that eject a server; at least 1, or 0 to disable this signal. */
    public Builder consecutiveFailures(int count) {
      this.consecutiveFailures = count;
      return this;
    }

    /** Failure percentage in the window that ejects a server; in [0, 100]. */
    public Builder failurePercentage(int percent) {
      this.failurePercentage = percent;
      return this;
    }

    /** Requests a server must have seen in the window before its percentage counts; at least 1. */
    public Builder minimumRequests(int count) {
      this.minimumRequests = count;
      return this;
    }

    /** Turns the failure-percentage signal on or off; default on. */
    public Builder failurePercentageEnabled(boolean enabled) {
      this.failurePercentageEnabled = enabled;
      return this;
    }

    /** Sliding window of the failure percentage, and the multiplier's decay period; positive. */
    public Builder window(Duration window) {
      this.window = window;
      return this;
    }

    /** Ejection time of a first ejection; positive. */
    public Builder baseEjectionTime(Duration time) {
      this.baseEjectionTime = time;
      return this;
    }

    /** Upper bound of any ejection time; at least the base. */
    public Builder maxEjectionTime(Duration time) {
      this.maxEjectionTime = time;
      return this;
    }

    /**
     * Whether an active check that passes on an ejected server lifts its ejection at once, as
     * Envoy's {@code successful_active_health_check_uneject_host} does; default {@value
     * OutlierDetection#DEFAULT_UNEJECT_ON_ACTIVE_CHECK_SUCCESS}. The check must leave the server's
     * verdict healthy: a pass below {@code rise} on an unhealthy server lifts nothing. Needs an
     * active check on the same balancer; without one it has no effect. Turn it off when the check
     * does not exercise what real calls do (a shallow {@code /health} that passes while calls
     * fail): with it on, such a server is re-admitted at every check, and ejected again after its
     * next failures.
     */
    public Builder unejectOnActiveCheckSuccess(boolean uneject) {
      this.unejectOnActiveCheckSuccess = uneject;
      return this;
    }

    /** The outcomes that count as failures; not empty, and never {@code SUCCESS} or {@code CANCELLED}. */
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
      Checks.atLeast("consecutiveFailures", consecutiveFailures, 0);
      Checks.percent("failurePercentage", failurePercentage);
      Checks.atLeast("minimumRequests", minimumRequests, 1);
      Checks.positive("window", window);
      if (window.toNanos() < BUCKETS) {
        throw new IllegalArgumentException("window must be at least 10ns, was " + Checks.format(window));
      }
      Checks.positive("baseEjectionTime", baseEjectionTime);
      Checks.positive("maxEjectionTime", maxEjectionTime);
      if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
        throw new IllegalArgumentException(
            "maxEjectionTime must be at least baseEjectionTime (" + Checks.format(baseEjectionTime)
                + "), was " + Checks.format(maxEjectionTime));
      }
      passive.validate();
      return new OutlierDetector(this);
    }
  }
}
