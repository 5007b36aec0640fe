package dev.lbkit.health;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Scheduler;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.Ticker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowSynchronizationStrategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-server Resilience4j breakers mapped onto ejection and admission gates; see {@link
 * CircuitBreakers} for the rules.
 *
 * <p><b>Threading.</b> Outcomes are recorded on the reporting thread (the count-based window is
 * Resilience4j's lock-free one). A state transition fires the breaker's event on that same
 * thread; the event only queues {@link #sync} on the control plane, which reads the breaker's
 * current state (not the event's, since events from different threads may queue out of order)
 * and applies it idempotently: eject when open, gate when half-open, nothing when closed.
 *
 * <p><b>Probe identity.</b> In half-open the gate admits one pick at a time and remembers that
 * pick; the runtime tells the gate how that very pick ended ({@link
 * HealthControl.AdmissionGate#onEnd}). Only the admitted probe's own outcome is recorded:
 * outcomes of requests picked before the breaker opened (stragglers) are ignored while
 * half-open, and a probe that is cancelled, or given up because another gate refused it, frees
 * the slot at once. A probe never reported frees it after the open-state wait.
 */
final class BreakerInput implements HealthInput {

  private static final Logger log = LoggerFactory.getLogger(BreakerInput.class);

  /** Detail key in the server's snapshot: the breaker state. */
  static final String DETAIL = "breaker";

  private final CircuitBreakers.Builder settings;
  private final boolean[] counted;
  private final RuntimeException[] errors = new RuntimeException[Outcome.values().length];
  private final long waitNanos;
  private final Scheduler scheduler;

  private final Attachment attachment = new Attachment();
  private HealthControl control;
  private ControlPlaneTimers timers;
  private CircuitBreakerConfig config;
  private final PerServer<Node> nodes =
      PerServer.concurrentReads(this::track, (n, server) -> n.server = server, this::forget);
  private volatile boolean closed;

  BreakerInput(CircuitBreakers.Builder b) {
    this.settings = b;
    this.counted = b.passive.failureTable();
    for (Outcome o : Outcome.values()) {
      errors[o.ordinal()] = new OutcomeFailure(o);
    }
    this.waitNanos = b.waitDurationInOpenState.toNanos();
    this.scheduler = b.passive.scheduler;
  }

  @Override
  public void start(HealthControl control) {
    attachment.claim(this, control);
    this.control = control;
    this.timers = new ControlPlaneTimers(scheduler, control, log);
    this.config =
        CircuitBreakerConfig.custom()
            .failureRateThreshold(settings.failureRateThreshold)
            .slidingWindow(
                settings.slidingWindowSize,
                settings.minimumNumberOfCalls,
                SlidingWindowType.COUNT_BASED,
                SlidingWindowSynchronizationStrategy.LOCK_FREE)
            .waitDurationInOpenState(settings.waitDurationInOpenState)
            .permittedNumberOfCallsInHalfOpenState(settings.halfOpenProbes)
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .writableStackTraceEnabled(false)
            .clock(new TickerClock(control.ticker()))
            .build();
  }

  @Override
  public void onServersChanged(List<Endpoint> endpoints) {
    if (closed) {
      return;
    }
    nodes.update(endpoints);
  }

  private Node track(Endpoint endpoint) {
    Server s = endpoint.server();
    Node n = new Node(s, CircuitBreaker.of(control.cluster() + "/" + s.id(), config));
    n.breaker.getEventPublisher().onStateTransition(ev -> control.execute(() -> sync(n)));
    control.setDetail(s, DETAIL, "closed");
    return n;
  }

  private void forget(Node n) {
    n.removed = true;
    n.cancelTimer();
  }

  @Override
  public void onOutcome(Endpoint endpoint, Outcome outcome, long latencyNanos) {
    if (outcome == Outcome.CANCELLED || closed) {
      return;
    }
    Node n = nodes.get(endpoint.server().id());
    if (n == null) {
      return;
    }
    boolean failure = counted[outcome.ordinal()];
    if (!failure && outcome != Outcome.SUCCESS) {
      return;
    }
    if (n.breaker.getState() == CircuitBreaker.State.CLOSED) {
      record(n, outcome, failure, latencyNanos);
    }
    // Open: a straggler picked before the breaker opened; the window was already judged.
    // Half-open: the probe's outcome arrives through its gate (Node.onProbeEnd); every other
    // outcome is a straggler.
  }

  private void record(Node n, Outcome outcome, boolean failure, long latencyNanos) {
    long nanos = Math.max(0L, latencyNanos);
    if (failure) {
      n.breaker.onError(nanos, TimeUnit.NANOSECONDS, errors[outcome.ordinal()]);
    } else {
      n.breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Applies the breaker's current state; control plane only, idempotent. */
  private void sync(Node n) {
    if (closed || n.removed) {
      return;
    }
    CircuitBreaker.State state = n.breaker.getState();
    if (state == n.applied) {
      return;
    }
    CircuitBreaker.State before = n.applied;
    n.applied = state;
    String id = n.server.id();
    switch (state) {
      case OPEN:
        control.setAdmissionGate(n.server, null);
        if (!n.ejected) {
          String reason = "circuit breaker open (failure rate reached " + settings.failureRateThreshold + "%)";
          if (!control.eject(n.server, reason)) {
            log.info("{}: circuit breaker of {} opened, but the ejection cap keeps the server; closing it",
                control.cluster(), id);
            // Transition fires another event and sync; applied stays OPEN until then.
            n.breaker.transitionToClosedState();
            return;
          }
          n.ejected = true;
        }
        n.cancelTimer();
        n.timer = timers.schedule("circuit breaker timer of " + id, () -> halfOpen(n), waitNanos);
        break;
      case HALF_OPEN:
        n.probe.set(null);
        control.setAdmissionGate(n.server, n.gate);
        unejectIfEjected(n);
        break;
      default:
        n.cancelTimer();
        control.setAdmissionGate(n.server, null);
        unejectIfEjected(n);
        break;
    }
    String text = state.name().toLowerCase(Locale.ROOT).replace('_', '-');
    control.setDetail(n.server, DETAIL, text);
    log.info("{}: circuit breaker of {}: {} -> {}", control.cluster(), id,
        before.name().toLowerCase(Locale.ROOT).replace('_', '-'), text);
  }

  private void halfOpen(Node n) {
    if (closed || n.removed) {
      return;
    }
    if (n.breaker.getState() == CircuitBreaker.State.OPEN) {
      n.breaker.transitionToHalfOpenState();
    }
  }

  private void unejectIfEjected(Node n) {
    if (n.ejected) {
      n.ejected = false;
      control.uneject(n.server);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Node n : nodes.values()) {
      n.cancelTimer();
    }
  }

  @Override
  public String toString() {
    return "CircuitBreakers{failureRateThreshold=" + settings.failureRateThreshold + "%, window="
        + settings.slidingWindowSize + "}";
  }

  /** One server's breaker. */
  private final class Node {
    volatile Server server;
    final CircuitBreaker breaker;
    /** The probe out in half-open, or null when the slot is free. */
    final AtomicReference<Probe> probe = new AtomicReference<>();
    final HealthControl.AdmissionGate gate = new HealthControl.AdmissionGate() {
      @Override
      public boolean tryAdmit(Selection pick) {
        return admit(pick);
      }

      @Override
      public void onEnd(Selection pick, Outcome outcome, long latencyNanos) {
        onProbeEnd(pick, outcome, latencyNanos);
      }
    };
    volatile boolean removed;
    // Control plane only.
    CircuitBreaker.State applied = CircuitBreaker.State.CLOSED;
    boolean ejected;
    Scheduler.Cancellable timer;

    Node(Server server, CircuitBreaker breaker) {
      this.server = server;
      this.breaker = breaker;
    }

    /**
     * The half-open gate, on the pick path: lock-free, one probe at a time. A probe never
     * reported gives up its slot after the open-state wait, so a leaked pick cannot hold the
     * breaker half-open for ever.
     */
    private boolean admit(Selection pick) {
      Probe current = probe.get();
      long now = control.ticker().nanoTime();
      if (current != null && now - current.since < waitNanos) {
        return false;
      }
      return probe.compareAndSet(current, new Probe(pick, now));
    }

    /** How an admitted probe ended; ignored unless it is still the probe out. */
    private void onProbeEnd(Selection pick, Outcome outcome, long latencyNanos) {
      Probe current = probe.get();
      if (current == null || current.pick != pick) {
        return;
      }
      if (!closed && outcome != Outcome.CANCELLED && breaker.getState() == CircuitBreaker.State.HALF_OPEN) {
        boolean failure = counted[outcome.ordinal()];
        if (failure || outcome == Outcome.SUCCESS) {
          // Record first: a success that still leaves the breaker half-open then frees the
          // slot for the next probe, and a failure reopens it before anyone else is admitted.
          record(this, outcome, failure, latencyNanos);
        }
      }
      probe.compareAndSet(current, null);
    }

    void cancelTimer() {
      if (timer != null) {
        timer.cancel();
        timer = null;
      }
    }
  }

  /** The probe admitted in half-open: its pick, and when it was admitted. */
  private static final class Probe {
    final Selection pick;
    final long since;

    Probe(Selection pick, long since) {
      this.pick = pick;
      this.since = since;
    }
  }

  /** The stackless error recorded for a failed outcome. */
  private static final class OutcomeFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutcomeFailure(Outcome outcome) {
      super(outcome.name(), null, false, false);
    }
  }

  /** A {@link Clock} over the injected ticker, so Resilience4j runs in the same (virtual) time. */
  static final class TickerClock extends Clock {
    private final Ticker ticker;

    TickerClock(Ticker ticker) {
      this.ticker = ticker;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.EPOCH.plusNanos(ticker.nanoTime());
    }

    @Override
    public long millis() {
      return Math.floorDiv(ticker.nanoTime(), 1_000_000L);
    }
  }
}
