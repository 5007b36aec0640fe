package dev.lbkit.health;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.Server;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ramps weight multipliers; see {@link SlowStart} for the rules. Runs entirely on the control
 * plane. A ramp begins at the moment a server becomes pickable, whichever input made it so
 * ({@link #onHealthChanged}), or when a pickable server is added after the first list; a step
 * timer hands each tick to {@link HealthControl#execute} and raises the multipliers of the
 * servers ramping, O(N) per tick.
 */
final class SlowStartInput implements HealthInput {

  private static final Logger log = LoggerFactory.getLogger(SlowStartInput.class);

  /** Detail key in the server's snapshot: the ramp's progress. */
  static final String DETAIL = "slowStart";

  private final long windowNanos;
  private final double minimumShare;
  private final double exponent;
  private final long stepNanos;
  private final Scheduler scheduler;

  private HealthControl control;
  // Control plane only.
  private final Set<String> known = new HashSet<>();
  private final Map<String, Long> rampStart = new HashMap<>();
  private boolean seenFirstList;
  private boolean closed;
  private Scheduler.Cancellable tick;

  SlowStartInput(SlowStart.Builder b) {
    this.windowNanos = b.window.toNanos();
    this.minimumShare = b.minimumSharePercent / 100.0;
    this.exponent = 1.0 / b.aggression;
    this.stepNanos = b.step.toNanos();
    this.scheduler = b.scheduler;
  }

  /** The multiplier {@code elapsedNanos} into a ramp. */
  double multiplier(long elapsedNanos) {
    if (elapsedNanos >= windowNanos) {
      return 1.0;
    }
    double f = Math.pow(Math.max(0L, elapsedNanos) / (double) windowNanos, exponent);
    return Math.min(1.0, Math.max(minimumShare, f));
  }

  @Override
  public void start(HealthControl control) {
    this.control = control;
    scheduleTick();
  }

  private void scheduleTick() {
    tick = scheduler.schedule(
        () -> Checks.guarded(log, "slow start step", () -> control.execute(this::onTick)), stepNanos);
  }

  @Override
  public void onServersChanged(List<Endpoint> endpoints) {
    if (closed) {
      return;
    }
    Set<String> present = new HashSet<>();
    for (Endpoint e : endpoints) {
      String id = e.server().id();
      present.add(id);
      if (known.add(id) && seenFirstList && e.health().pickable()) {
        begin(e.server(), "added");
      }
    }
    known.retainAll(present);
    rampStart.keySet().retainAll(present);
    seenFirstList = true;
  }

  @Override
  public void onHealthChanged(Endpoint endpoint, HealthState before, HealthState after) {
    if (!closed && !before.pickable() && after.pickable() && known.contains(endpoint.server().id())) {
      begin(endpoint.server(), before.status() == HealthState.Status.UNKNOWN ? "first pickable" : "recovered");
    }
  }

  private void begin(Server server, String why) {
    rampStart.put(server.id(), control.ticker().nanoTime());
    control.setWeightMultiplier(server, minimumShare);
    control.setDetail(server, DETAIL, percent(minimumShare));
    log.info("{}: slow start of {} ({}) over {}ms from {}", control.cluster(), server.id(), why,
        windowNanos / 1_000_000, percent(minimumShare));
  }

  private void onTick() {
    if (closed) {
      return;
    }
    try {
      long now = control.ticker().nanoTime();
      for (Endpoint e : control.endpoints()) {
        Server s = e.server();
        Long start = rampStart.get(s.id());
        if (start == null) {
          continue;
        }
        double m = multiplier(now - start);
        control.setWeightMultiplier(s, m);
        if (m >= 1.0) {
          rampStart.remove(s.id());
          control.setDetail(s, DETAIL, null);
          log.info("{}: slow start of {} complete", control.cluster(), s.id());
        } else {
          control.setDetail(s, DETAIL, percent(m));
        }
      }
    } catch (RuntimeException e) {
      log.error("{}: slow start step failed; it runs again in {}ms", control.cluster(), stepNanos / 1_000_000, e);
    } finally {
      if (!closed) {
        scheduleTick();
      }
    }
  }

  private static String percent(double m) {
    return Math.round(m * 100) + "%";
  }

  @Override
  public void close() {
    closed = true;
    if (tick != null) {
      tick.cancel();
    }
  }

  @Override
  public String toString() {
    return "SlowStart{window=" + windowNanos / 1_000_000 + "ms, minimumShare=" + percent(minimumShare) + "}";
  }
}
