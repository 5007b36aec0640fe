package dev.lbkit.health;

import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Scheduler;
import java.time.Duration;
import java.util.Objects;

/**
 * Active health checking: probes every server on a schedule and sets its active verdict.
 *
 * <p><b>Verdicts.</b> A new server starts {@code UNKNOWN}; its first check decides either way
 * (as Envoy does for new hosts), so the unknown phase lasts one check. Whether an {@code
 * UNKNOWN} server may be picked is the balancer's {@code unknownPickable} setting (default
 * yes, so a new server takes traffic at once; set it false to wait for the first pass). After
 * that, a {@code HEALTHY} server turns {@code UNHEALTHY} after {@code fall} failed checks in a
 * row, and an {@code UNHEALTHY} one turns {@code HEALTHY} after {@code rise} passed checks in a
 * row: a flapping server never changes state faster than that.
 *
 * <p><b>Timing.</b> Checks start every {@code interval} (plus a random {@code jitter} in
 * {@code [0, jitter)}), measured from start to start, on one shared {@link Scheduler}; no
 * thread per server. A check that has not answered after {@code timeout} fails, so
 * <b>detection time</b> is {@code interval × fall} for a server that refuses, and {@code
 * interval × fall + timeout} for one that hangs: 10 s and 12 s for {@link #aggressive}, 90 s
 * and 100 s for {@link #conservative}. The timeout must be shorter than the interval, so checks
 * of one server never overlap. An optional {@code unhealthyInterval} checks unhealthy servers
 * more often, to re-admit them sooner.
 *
 * <p>Example:
 * <pre>{@code
 * HealthInput checks = ActiveHealthCheck.builder(HealthChecks.http().path("/ready").build())
 *     .interval(Duration.ofSeconds(5)).timeout(Duration.ofSeconds(1)).build();
 * }</pre>
 */
public final class ActiveHealthCheck {

  /**
   * Default interval, 10 s. Passive outlier detection reacts to failing traffic within a few
   * requests; active checks exist for idle servers and for noticing recovery, where 10 s costs
   * little, and it keeps the load of N clients × M servers modest.
   */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  /**
   * Default timeout, 3 s: long enough for a GC pause or a cold connection, short enough that a
   * hung server is detected within one interval of the refusing case.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

  /**
   * Default healthy threshold, 2 (HAProxy's default): one lucky pass does not re-admit a
   * flapping server.
   */
  public static final int DEFAULT_RISE = 2;

  /**
   * Default unhealthy threshold, 3 (HAProxy's default): one or two lost packets do not eject a
   * server; detection takes 30 s at the default interval.
   */
  public static final int DEFAULT_FALL = 3;

  /**
   * Default jitter, 1 s (10% of the interval): many clients started together by one deploy
   * would otherwise probe every server in lockstep.
   */
  public static final Duration DEFAULT_JITTER = Duration.ofSeconds(1);

  private ActiveHealthCheck() {}

  /** Starts a builder with the defaults above. */
  public static Builder builder(HealthCheck check) {
    return new Builder(check);
  }

  /**
   * The seed's aggressive preset: every 5 s, 2 s timeout, unhealthy after 2 failures (detection
   * 10 s), healthy after 2 passes. Rise 2 rather than 1 because a quick preset is used where
   * servers flap, and the second pass costs only 5 s of re-admission. Jitter 500 ms.
   */
  public static Builder aggressive(HealthCheck check) {
    return builder(check)
        .interval(Duration.ofSeconds(5))
        .timeout(Duration.ofSeconds(2))
        .fall(2)
        .rise(2)
        .jitter(Duration.ofMillis(500));
  }

  /**
   * The seed's conservative preset: every 30 s, 10 s timeout, unhealthy after 3 failures
   * (detection 90 s), healthy after 2 passes. Rise 2 rather than 3: re-admission already takes
   * a minute, and passive outlier detection catches a server that flaps back. Jitter 3 s.
   */
  public static Builder conservative(HealthCheck check) {
    return builder(check)
        .interval(Duration.ofSeconds(30))
        .timeout(Duration.ofSeconds(10))
        .fall(3)
        .rise(2)
        .jitter(Duration.ofSeconds(3));
  }

  /** Configures active checks; validated in {@link #build()}. Not thread-safe. */
  public static final class Builder {
    final HealthCheck check;
    Duration interval = DEFAULT_INTERVAL;
    Duration timeout = DEFAULT_TIMEOUT;
    Duration jitter = DEFAULT_JITTER;
    Duration unhealthyInterval;
    int rise = DEFAULT_RISE;
    int fall = DEFAULT_FALL;
    Scheduler scheduler = SharedScheduler.INSTANCE;

    private Builder(HealthCheck check) {
      this.check = Objects.requireNonNull(check, "check");
    }

    /** Time between the starts of two checks of one server; positive. */
    public Builder interval(Duration interval) {
      this.interval = interval;
      return this;
    }

    /** Time after which an unanswered check fails; positive and shorter than every interval. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * Upper bound of the random delay added to each interval; zero disables it. At most the
     * interval: a longer jitter would make the interval meaningless and stretch detection time
     * by more than double. A shorter {@link #unhealthyInterval} is allowed: it only re-admits a
     * server sooner, and the default jitter must not forbid a sub-second one.
     */
    public Builder jitter(Duration jitter) {
      this.jitter = jitter;
      return this;
    }

    /** Interval while a server is unhealthy; default the normal interval. */
    public Builder unhealthyInterval(Duration interval) {
      this.unhealthyInterval = interval;
      return this;
    }

    /** Passed checks in a row that make an unhealthy server healthy; at least 1. */
    public Builder rise(int rise) {
      this.rise = rise;
      return this;
    }

    /** Failed checks in a row that make a healthy server unhealthy; at least 1. */
    public Builder fall(int fall) {
      this.fall = fall;
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
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Validates the settings and builds the input. Give each balancer its own input (a second
     * balancer's {@code build()} fails, naming both clusters); the
     * check may be shared. Closing the input (the balancer closes its inputs) releases the
     * threads and connections of a check from {@link HealthChecks#http()} once no other open
     * input uses it; a check of your own that holds resources is yours to close.
     *
     * @throws IllegalArgumentException naming the field and the value of a bad setting
     */
    public HealthInput build() {
      Checks.positive("interval", interval);
      Checks.positive("timeout", timeout);
      Checks.notNegative("jitter", jitter);
      if (timeout.compareTo(interval) >= 0) {
        throw new IllegalArgumentException(
            "timeout must be shorter than interval (" + Checks.format(interval) + "), was "
                + Checks.format(timeout));
      }
      if (jitter.compareTo(interval) > 0) {
        throw new IllegalArgumentException(
            "jitter must be at most interval (" + Checks.format(interval) + "), was " + Checks.format(jitter));
      }
      if (unhealthyInterval != null) {
        Checks.positive("unhealthyInterval", unhealthyInterval);
        if (timeout.compareTo(unhealthyInterval) >= 0) {
          throw new IllegalArgumentException(
              "timeout must be shorter than unhealthyInterval (" + Checks.format(unhealthyInterval)
                  + "), was " + Checks.format(timeout));
        }
      }
      Checks.atLeast("rise", rise, 1);
      Checks.atLeast("fall", fall, 1);
      return new ActiveChecker(this);
    }
  }
}
