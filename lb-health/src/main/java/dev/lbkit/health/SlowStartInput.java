package dev.lbkit.health;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.Server;
import java.util.List;
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
  private final RepeatingTick tick;

  private final Attachment attachment = new Attachment();
  private HealthControl control;
  // Control plane only.
  private final PerServer<Ramp> ramps = PerServer.controlPlaneOnly(this::track, (r, server) -> {}, r -> {});
  private boolean seenFirstList;
  private boolean closed;

  SlowStartInput(SlowStart.Builder b) {
    this.windowNanos = b.window.toNanos();
    this.minimumShare = b.minimumSharePercent / 100.0;
    this.exponent = 1.0 / b.aggression;
    this.stepNanos = b.step.toNanos();
    this.scheduler = b.scheduler;
    this.tick = new RepeatingTick("slow start step", stepNanos, this::step,
        e -> log.error("{}: slow start step failed; it runs again in {}ms", control.cluster(), stepNanos / 1_000_000, e));
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
    attachment.claim(this, control);
    this.control = control;
    tick.start(new ControlPlaneTimers(scheduler, control, log));
  }

  @Override
  public void onServersChanged(List<Endpoint> endpoints) {
    if (closed) {
      return;
    }
    ramps.update(endpoints);
    seenFirstList = true;
  }

  /** A server new to the list: it ramps if it is pickable and the first list is behind us. */
  private Ramp track(Endpoint endpoint) {
    Ramp r = new Ramp();
    if (seenFirstList && endpoint.health().pickable()) {
      begin(r, endpoint.server(), "added");
    }
    return r;
  }

  @Override
  public void onHealthChanged(Endpoint endpoint, HealthState before, HealthState after) {
    if (closed || before.pickable() || !after.pickable()) {
      return;
    }
    Ramp r = ramps.get(endpoint.server().id());
    if (r != null) {
      begin(r, endpoint.server(), before.status() == HealthState.Status.UNKNOWN ? "first pickable" : "recovered");
    }
  }

  private void begin(Ramp r, Server server, String why) {
    r.ramping = true;
    r.startNanos = control.ticker().nanoTime();
    control.setWeightMultiplier(server, minimumShare);
    control.setDetail(server, DETAIL, percent(minimumShare));
    log.info("{}: slow start of {} ({}) over {}ms from {}", control.cluster(), server.id(), why,
        windowNanos / 1_000_000, percent(minimumShare));
  }

  /** The step: raises the multiplier of every server ramping, and ends the ramps that are done. */
  private void step() {
    long now = control.ticker().nanoTime();
    for (Endpoint e : control.endpoints()) {
      Server s = e.server();
      Ramp r = ramps.get(s.id());
      if (r == null || !r.ramping) {
        continue;
      }
      double m = multiplier(now - r.startNanos);
      control.setWeightMultiplier(s, m);
      if (m >= 1.0) {
        r.ramping = false;
        control.setDetail(s, DETAIL, null);
        log.info("{}: slow start of {} complete", control.cluster(), s.id());
      } else {
        control.setDetail(s, DETAIL, percent(m));
      }
    }
  }

  private static String percent(double m) {
    return Math.round(m * 100) + "%";
  }

  @Override
  public void close() {
    closed = true;
    tick.stop();
  }

  @Override
  public String toString() {
    return "SlowStart{window=" + windowNanos / 1_000_000 + "ms, minimumShare=" + percent(minimumShare) + "}";
  }

  /** One server in the list: whether it is ramping, and since when; control plane only. */
  private static final class Ramp {
    boolean ramping;
    long startNanos;
  }
}
