package dev.lbkit.health;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.Server;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link HealthCheck} per server on a shared {@link Scheduler} and turns results into
 * active verdicts with rise/fall hysteresis; see {@link ActiveHealthCheck} for the rules.
 *
 * <p><b>Threading.</b> All per-server state lives on the balancer's control plane: timers and
 * check completions only hand a task to {@link HealthControl#execute}. A check's result and its
 * timeout race; the first one to reach the control plane wins, identified by a per-server
 * sequence number, and a late result is dropped. A timeout cancels the check's future, which
 * closes its socket or cancels its call.
 */
final class ActiveChecker implements HealthInput {

  private static final Logger log = LoggerFactory.getLogger(ActiveChecker.class);

  /** Detail key in the server's snapshot: the last check's result. */
  static final String DETAIL = "activeCheck";

  private final HealthCheck check;
  private final long intervalNanos;
  private final long unhealthyIntervalNanos;
  private final long timeoutNanos;
  private final long jitterNanos;
  private final int rise;
  private final int fall;
  private final String timeoutText;
  private final Scheduler scheduler;

  private final Attachment attachment = new Attachment();
  private HealthControl control;
  private ControlPlaneTimers timers;
  // Control plane only.
  private final PerServer<Target> targets =
      PerServer.controlPlaneOnly(this::track, (t, server) -> t.server = server, Target::stop);
  private boolean closed;
  private boolean retained;

  ActiveChecker(ActiveHealthCheck.Builder b) {
    this.check = b.check;
    this.intervalNanos = b.interval.toNanos();
    this.unhealthyIntervalNanos = b.unhealthyInterval == null ? intervalNanos : b.unhealthyInterval.toNanos();
    this.timeoutNanos = b.timeout.toNanos();
    this.jitterNanos = b.jitter.toNanos();
    this.rise = b.rise;
    this.fall = b.fall;
    this.timeoutText = Checks.format(b.timeout);
    this.scheduler = b.scheduler;
  }

  @Override
  public void start(HealthControl control) {
    attachment.claim(this, control);
    this.control = control;
    this.timers = new ControlPlaneTimers(scheduler, control, log);
    // An HTTP check built by HealthChecks owns an OkHttp client; a check of the user's own is
    // the user's to close.
    if (check instanceof HttpCheck) {
      ((HttpCheck) check).retain();
      retained = true;
    }
  }

  @Override
  public void onServersChanged(List<Endpoint> endpoints) {
    if (closed) {
      return;
    }
    targets.update(endpoints);
  }

  private Target track(Endpoint endpoint) {
    Target t = new Target(endpoint.server());
    // The first check runs at once (plus jitter), so the unknown phase lasts one check.
    scheduleNext(t, jitter());
    return t;
  }

  private long jitter() {
    return jitterNanos == 0 ? 0 : (long) (control.random().nextDouble() * jitterNanos);
  }

  private void scheduleNext(Target t, long delayNanos) {
    t.next = timers.schedule("health check timer of " + t.server.id(), () -> run(t), delayNanos);
  }

  private void run(Target t) {
    if (closed || t.stopped) {
      return;
    }
    long seq = ++t.seq;
    t.startedNanos = control.ticker().nanoTime();
    CompletableFuture<CheckResult> f;
    try {
      f = check.check(t.server);
      if (f == null) {
        f = CompletableFuture.completedFuture(CheckResult.unhealthy("check returned null"));
      }
    } catch (RuntimeException e) {
      f = CompletableFuture.completedFuture(CheckResult.unhealthy("check threw " + e));
    }
    t.inFlight = f;
    t.timeout = timers.schedule("health check timeout of " + t.server.id(),
        () -> finish(t, seq, CheckResult.unhealthy("no answer within " + timeoutText)), timeoutNanos);
    f.whenComplete(
        (r, e) -> {
          if (e instanceof java.util.concurrent.CancellationException) {
            return; // our own timeout already decided
          }
          CheckResult result =
              e != null ? CheckResult.unhealthy("check failed: " + TcpCheck.describe(unwrap(e)))
                  : r == null ? CheckResult.unhealthy("check returned no result") : r;
          control.execute(() -> finish(t, seq, result));
        });
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private void finish(Target t, long seq, CheckResult result) {
    if (closed || t.stopped || seq != t.seq || t.inFlight == null) {
      return;
    }
    CompletableFuture<CheckResult> f = t.inFlight;
    t.inFlight = null;
    t.timeout.cancel();
    if (!f.isDone()) {
      f.cancel(true);
    }
    ActiveHealth before = t.verdict;
    if (result.isHealthy()) {
      t.failures = 0;
      t.passes++;
      if (before == ActiveHealth.UNKNOWN || (before == ActiveHealth.UNHEALTHY && t.passes >= rise)) {
        t.verdict = ActiveHealth.HEALTHY;
      }
    } else {
      t.passes = 0;
      t.failures++;
      if (before == ActiveHealth.UNKNOWN || (before == ActiveHealth.HEALTHY && t.failures >= fall)) {
        t.verdict = ActiveHealth.UNHEALTHY;
      }
    }
    control.setDetail(t.server, DETAIL, result.toString());
    if (t.verdict != before) {
      String reason =
          t.verdict == ActiveHealth.HEALTHY
              ? result.detail() + " (" + t.passes + (t.passes == 1 ? " pass)" : " passes in a row)")
              : result.detail() + " (" + t.failures + (t.failures == 1 ? " failure)" : " failures in a row)");
      log.info("{}: active check: {} is {}: {}", control.cluster(), t.server.id(), t.verdict, reason);
      control.setActive(t.server, t.verdict, reason);
    }
    control.reportActiveCheck(t.server, result.isHealthy());
    long interval = t.verdict == ActiveHealth.UNHEALTHY ? unhealthyIntervalNanos : intervalNanos;
    // Start to start, so a hung check's timeout does not push every later check back.
    long delay = t.startedNanos + interval + jitter() - control.ticker().nanoTime();
    scheduleNext(t, Math.max(0L, delay));
  }

  @Override
  public void close() {
    // Called on the control plane by the runtime.
    if (closed) {
      return;
    }
    closed = true;
    for (Target t : targets.values()) {
      t.stop();
    }
    targets.clear();
    if (retained) {
      retained = false;
      ((HttpCheck) check).release();
    }
  }

  @Override
  public String toString() {
    return "ActiveHealthCheck{" + check + ", interval=" + intervalNanos / 1_000_000 + "ms, rise=" + rise
        + ", fall=" + fall + "}";
  }

  /** One server's checking state; control plane only. */
  private static final class Target {
    Server server;
    ActiveHealth verdict = ActiveHealth.UNKNOWN;
    int passes;
    int failures;
    long seq;
    long startedNanos;
    CompletableFuture<CheckResult> inFlight;
    Scheduler.Cancellable next;
    Scheduler.Cancellable timeout;
    boolean stopped;

    Target(Server server) {
      this.server = server;
    }

    void stop() {
      stopped = true;
      if (next != null) {
        next.cancel();
      }
      if (timeout != null) {
        timeout.cancel();
      }
      if (inFlight != null) {
        inFlight.cancel(true);
        inFlight = null;
      }
    }
  }
}
