package dev.lbkit.health;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.Server;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consecutive-failure and failure-percentage ejection with backoff; see {@link
 * OutlierDetection} for the rules.
 *
 * <p><b>Hot path.</b> A report costs a map lookup and two or three atomic increments on the
 * server's own counters (gRPC's per-address counters). Only the report that crosses the
 * consecutive threshold hands a task to the control plane, which ejects inline unless another
 * thread is running the control plane at that moment.
 *
 * <p><b>Window.</b> Each server counts requests and failures in {@value OutlierDetection#BUCKETS}
 * buckets; a tick every {@code window / BUCKETS} sums them (the window), then clears the oldest
 * bucket and makes it current. A report racing the swap may land in the bucket being retired;
 * that error is one report in thousands and keeps reporting lock-free.
 */
final class OutlierDetector implements HealthInput {

  private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);

  /** Detail keys in the server's snapshot. */
  static final String DETAIL_EJECTIONS = "ejections";

  static final String DETAIL_EJECTED = "outlier";

  private static final int B = OutlierDetection.BUCKETS;

  private final int consecutiveThreshold;
  private final boolean percentageEnabled;
  private final int failurePercentage;
  private final int minimumRequests;
  private final long bucketNanos;
  private final String windowText;
  private final long baseNanos;
  private final long maxNanos;
  private final int maxMultiplier;
  private final boolean[] counted;
  private final boolean unejectOnActiveCheckSuccess;
  private final Scheduler scheduler;
  private final RepeatingTick tick;

  private final Attachment attachment = new Attachment();
  private HealthControl control;
  private ControlPlaneTimers timers;
  private final PerServer<Stats> stats =
      PerServer.concurrentReads(e -> new Stats(e.server()), (s, server) -> s.server = server, this::forget);
  private volatile boolean closed;

  OutlierDetector(OutlierDetection.Builder b) {
    this.consecutiveThreshold = b.consecutiveFailures;
    this.percentageEnabled = b.failurePercentageEnabled;
    this.failurePercentage = b.failurePercentage;
    this.minimumRequests = b.minimumRequests;
    this.bucketNanos = b.window.toNanos() / B;
    this.windowText = Checks.format(b.window);
    this.baseNanos = b.baseEjectionTime.toNanos();
    this.maxNanos = b.maxEjectionTime.toNanos();
    this.maxMultiplier = (int) Math.min(Integer.MAX_VALUE, (maxNanos + baseNanos - 1) / baseNanos);
    this.counted = b.passive.failureTable();
    this.unejectOnActiveCheckSuccess = b.unejectOnActiveCheckSuccess;
    this.scheduler = b.passive.scheduler;
    this.tick = new RepeatingTick("outlier detection tick", bucketNanos, this::evaluate,
        e -> log.error("{}: outlier detection tick failed; it runs again in {}ns", control.cluster(), bucketNanos, e));
  }

  @Override
  public void start(HealthControl control) {
    attachment.claim(this, control);
    this.control = control;
    this.timers = new ControlPlaneTimers(scheduler, control, log);
    tick.start(timers);
  }

  @Override
  public void onServersChanged(List<Endpoint> endpoints) {
    stats.update(endpoints);
  }

  private void forget(Stats s) {
    s.removed = true;
    if (s.readmit != null) {
      s.readmit.cancel();
    }
  }

  @Override
  public void onOutcome(Endpoint endpoint, Outcome outcome, long latencyNanos) {
    if (outcome == Outcome.CANCELLED || closed) {
      return;
    }
    Stats s = stats.get(endpoint.server().id());
    if (s == null) {
      return;
    }
    boolean failure = counted[outcome.ordinal()];
    if (!failure && outcome != Outcome.SUCCESS) {
      return; // a failure kind this detector was told to ignore: neutral
    }
    s.record(failure);
    if (consecutiveThreshold == 0) {
      return;
    }
    if (failure) {
      int c = s.consecutive.incrementAndGet();
      // Exactly at the threshold (and at each multiple, should the cap have refused).
      if (c % consecutiveThreshold == 0 && !s.ejected) {
        control.execute(() -> {
          if (!closed && !s.removed && !s.ejected) {
            tryEject(s, c + " consecutive failures (last: " + outcome + ")");
          }
        });
      }
    } else if (s.consecutive.get() != 0) {
      s.consecutive.set(0);
    }
  }

  /**
   * Lifts this detector's ejection of a server whose active check has just passed while its
   * verdict is healthy (Envoy's {@code successful_active_health_check_uneject_host}): a recovered
   * server must not hold one of the few ejection slots while the next server fails. A pass that
   * does not reach the verdict (an unhealthy server below its {@code rise}) lifts nothing.
   */
  @Override
  public void onActiveCheck(Endpoint endpoint, boolean passed) {
    if (!unejectOnActiveCheckSuccess || closed || !passed || endpoint.health().active() != ActiveHealth.HEALTHY) {
      return;
    }
    Stats s = stats.get(endpoint.server().id());
    if (s != null && s.ejected && !s.readmitting) {
      if (s.readmit != null) {
        s.readmit.cancel();
      }
      readmit(s, "an active check passed");
    }
  }

  /** The window tick: judges each admitted server's window, then moves its window on. */
  private void evaluate() {
    for (Stats s : stats.values()) {
      if (s.ejected) {
        continue;
      }
      if (percentageEnabled) {
        long total = 0;
        long failed = 0;
        for (int i = 0; i < B; i++) {
          total += s.totals.get(i);
          failed += s.failures.get(i);
        }
        if (total >= minimumRequests && failed * 100 >= (long) failurePercentage * total) {
          if (tryEject(s, String.format("%d%% failures over %s (%d of %d requests)",
              failed * 100 / total, windowText, failed, total))) {
            continue;
          }
        }
      }
      if (++s.admittedTicks % B == 0 && s.multiplier > 0) {
        s.multiplier--; // forgiven one step per window of good behaviour
      }
      s.rotate();
    }
  }

  /** Ejects on the control plane; returns whether the runtime allowed it. */
  private boolean tryEject(Stats s, String reason) {
    if (!control.eject(s.server, reason)) {
      if (!s.refusalLogged) {
        // The runtime warns about the refusal itself, once per episode, naming the cap.
        s.refusalLogged = true;
        log.debug("{}: {} qualifies for ejection ({}), but the ejection cap keeps it", control.cluster(),
            s.server.id(), reason);
      }
      return false;
    }
    s.refusalLogged = false;
    s.ejected = true;
    s.multiplier = Math.min(s.multiplier + 1, maxMultiplier);
    s.ejections++;
    long nanos = Math.min(baseNanos * s.multiplier, maxNanos);
    String time = Checks.format(Duration.ofNanos(nanos));
    s.consecutive.set(0);
    s.clear();
    s.readmit = timers.schedule("re-admission of " + s.server.id(), () -> readmit(s, "ejection time expired"), nanos);
    control.setDetail(s.server, DETAIL_EJECTIONS, String.valueOf(s.ejections));
    control.setDetail(s.server, DETAIL_EJECTED, "ejected for " + time + ": " + reason);
    log.info("{}: ejecting {} for {} (ejection #{}): {}", control.cluster(), s.server.id(), time, s.ejections, reason);
    return true;
  }

  /**
   * Lifts the ejection, then clears this detector's flag in a second task; {@code why} is
   * logged.
   *
   * <p>Why two tasks: called from a control-plane task, {@code uneject} is only queued, and
   * runs after this task. Were the flag cleared here, a failure reported from another thread
   * in between would queue an ejection ahead of the uneject; the runtime would answer it with
   * "already ejected" (the old ejection, still in place), this detector would count a new
   * ejection, and then the queued uneject would make the server pickable while the detector
   * believed it ejected, refusing to eject it again for a whole ejection time. The second task
   * is queued behind the uneject, so the flag clears only once the server is really back, and
   * until then reports see it ejected and queue nothing. {@code readmitting} keeps a timer and an
   * active check that both re-admit the server in that gap from doing it twice.
   */
  private void readmit(Stats s, String why) {
    if (closed || s.removed || !s.ejected || s.readmitting) {
      return;
    }
    s.readmitting = true;
    control.uneject(s.server);
    control.execute(() -> {
      s.readmitting = false;
      if (closed || s.removed) {
        return;
      }
      s.ejected = false;
      s.admittedTicks = 0;
      s.consecutive.set(0);
      s.clear();
      control.setDetail(s.server, DETAIL_EJECTED, null);
      log.info("{}: re-admitting {}: {}", control.cluster(), s.server.id(), why);
    });
  }

  @Override
  public void close() {
    closed = true;
    tick.stop();
    for (Stats s : stats.values()) {
      if (s.readmit != null) {
        s.readmit.cancel();
      }
    }
  }

  @Override
  public String toString() {
    return "OutlierDetection{consecutiveFailures=" + consecutiveThreshold + ", failurePercentage="
        + (percentageEnabled ? failurePercentage + "%" : "off") + "}";
  }

  /** One server's counters. */
  private static final class Stats {
    volatile Server server;
    final AtomicInteger consecutive = new AtomicInteger();
    final AtomicLongArray totals = new AtomicLongArray(B);
    final AtomicLongArray failures = new AtomicLongArray(B);
    volatile int current;
    volatile boolean ejected;
    volatile boolean removed;
    // Control plane only.
    int multiplier;
    int ejections;
    long admittedTicks;
    boolean refusalLogged;
    boolean readmitting;
    Scheduler.Cancellable readmit;

    Stats(Server server) {
      this.server = server;
    }

    void record(boolean failure) {
      int i = current;
      totals.incrementAndGet(i);
      if (failure) {
        failures.incrementAndGet(i);
      }
    }

    void rotate() {
      int next = (current + 1) % B;
      totals.set(next, 0);
      failures.set(next, 0);
      current = next;
    }

    void clear() {
      for (int i = 0; i < B; i++) {
        totals.set(i, 0);
        failures.set(i, 0);
      }
    }
  }
}
