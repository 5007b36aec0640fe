package dev.lbkit.health;

import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Scheduler;
import java.time.Duration;
import java.util.Objects;

/**
 * Slow start: a newly added or recovered server's weight multiplier ramps from a minimum share
 * to 1 over a window, so that a cold server (empty caches, unwarmed JIT, no pooled connections)
 * is not handed its full share at once.
 *
 * <p><b>Curve</b> (Envoy's slow start): at time {@code t} into the window the multiplier is
 * {@code max(minimumShare, (t / window)^(1 / aggression))}. Aggression 1 is linear; above 1 the
 * ramp is concave (fast at first), below 1 convex (slow at first). The multiplier is published
 * in steps of {@code step} (default 1 s) through the balancer's weight multiplier, which
 * reaches every weighted algorithm, and least connections and P2C, which score {@code
 * (in-flight + 1) / effective weight}: an empty new server does not take every new request.
 *
 * <p><b>What starts a ramp.</b> A server added after the first server list (the first list
 * itself has no one to be slower than), and a server that becomes pickable again after being
 * unhealthy, ejected or drained, noticed at the next step. The snapshot shows the progress
 * under the detail key {@code slowStart}, e.g. {@code "40%"}.
 */
public final class SlowStart {

  /** Default window, 30 s: long enough for a JIT-compiled JVM service to warm its hot paths. */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);

  /** Default minimum share, 10%: Envoy's default {@code min_weight_percent}. */
  public static final int DEFAULT_MINIMUM_SHARE_PERCENT = 10;

  /** Default aggression, 1.0: a linear ramp, the easiest to reason about. */
  public static final double DEFAULT_AGGRESSION = 1.0;

  /** Default step, 1 s: 30 updates per window, each a cheap multiplier change. */
  public static final Duration DEFAULT_STEP = Duration.ofSeconds(1);

  private SlowStart() {}

  /** Starts a builder with the defaults above. */
  public static Builder builder() {
    return new Builder();
  }

  /** Configures slow start; validated in {@link #build()}. Not thread-safe. */
  public static final class Builder {
    Duration window = DEFAULT_WINDOW;
    int minimumSharePercent = DEFAULT_MINIMUM_SHARE_PERCENT;
    double aggression = DEFAULT_AGGRESSION;
    Duration step = DEFAULT_STEP;
    Scheduler scheduler = SharedScheduler.INSTANCE;

    private Builder() {}

    /** The ramp's length; positive. */
    public Builder window(Duration window) {
      this.window = window;
      return this;
    }

    /** The share of its weight a server gets at the start of the ramp, in [1, 100]. */
    public Builder minimumSharePercent(int percent) {
      this.minimumSharePercent = percent;
      return this;
    }

    /** The curve's aggression, positive and finite; 1 is linear. */
    public Builder aggression(double aggression) {
      this.aggression = aggression;
      return this;
    }

    /** How often the multiplier is updated; positive, at most the window. */
    public Builder step(Duration step) {
      this.step = step;
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
     * Validates the settings and builds the input. Give each balancer its own input: a second
     * balancer's {@code build()} fails, naming both clusters.
     *
     * @throws IllegalArgumentException naming the field and the value of a bad setting
     */
    public HealthInput build() {
      Checks.positive("window", window);
      if (minimumSharePercent < 1 || minimumSharePercent > 100) {
        throw new IllegalArgumentException("minimumSharePercent must be in [1, 100], was " + minimumSharePercent);
      }
      if (!(aggression > 0) || Double.isInfinite(aggression)) {
        throw new IllegalArgumentException("aggression must be positive and finite, was " + aggression);
      }
      Checks.positive("step", step);
      if (step.compareTo(window) > 0) {
        throw new IllegalArgumentException(
            "step must be at most window (" + Checks.format(window) + "), was " + Checks.format(step));
      }
      return new SlowStartInput(this);
    }
  }
}
