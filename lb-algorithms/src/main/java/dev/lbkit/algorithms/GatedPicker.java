package dev.lbkit.algorithms;

import dev.lbkit.api.HealthControl;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks admission gates (half-open breakers) before handing out a selection. An admitted pick
 * is wrapped so that its gate learns how that very pick ended ({@link
 * HealthControl.AdmissionGate#onEnd}); a refused one is released at once.
 */
final class GatedPicker implements Picker {

  private static final Logger log = LoggerFactory.getLogger(GatedPicker.class);

  private final Picker delegate;
  private final Map<String, HealthControl.AdmissionGate> gates;
  private final SnapshotContext counts;

  GatedPicker(Picker delegate, Map<String, HealthControl.AdmissionGate> gates, SnapshotContext counts) {
    this.delegate = delegate;
    this.gates = gates;
    this.counts = counts;
  }

  @Override
  public Selection pick(PickContext ctx) {
    PickContext current = ctx;
    int refused = 0;
    for (int attempt = 0; attempt <= counts.total; attempt++) {
      Selection s;
      try {
        s = delegate.pick(current);
      } catch (NoAvailableServerException e) {
        if (refused == 0) {
          throw e;
        }
        break;
      }
      HealthControl.AdmissionGate gate = gates.get(s.server().id());
      if (gate == null) {
        return s;
      }
      GatedSelection gated = new GatedSelection(s, gate);
      if (gate.tryAdmit(gated)) {
        return gated;
      }
      release(s);
      refused++;
      current = current.toBuilder().avoid(s.server()).build();
    }
    // Explain against the caller's own context: refused servers were not "already tried".
    throw counts.noServerAvailable(
        ctx, "admission refused by " + refused + (refused == 1 ? " server" : " servers")
            + " (a half-open circuit breaker admits one probe at a time)");
  }

  /** Gives back a pick that will never be sent: its in-flight count, and no outcome. */
  static void release(Selection s) {
    if (s instanceof LiveEndpoint.TrackedSelection) {
      ((LiveEndpoint.TrackedSelection) s).abandon();
    }
  }

  /** A pick admitted by a gate: tells the gate how it ended, exactly once. */
  static final class GatedSelection implements Selection {
    private static final VarHandle DONE;

    static {
      try {
        DONE = MethodHandles.lookup().findVarHandle(GatedSelection.class, "done", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final Selection delegate;
    private final HealthControl.AdmissionGate gate;
    @SuppressWarnings("unused") // accessed through DONE
    private volatile int done;

    GatedSelection(Selection delegate, HealthControl.AdmissionGate gate) {
      this.delegate = delegate;
      this.gate = gate;
    }

    @Override
    public Server server() {
      return delegate.server();
    }

    @Override
    public void complete(long latencyNanos, Outcome outcome) {
      if (DONE.compareAndSet(this, 0, 1)) {
        delegate.complete(latencyNanos, outcome);
        ended(latencyNanos, outcome);
      }
    }

    @Override
    public void complete(long latencyNanos, Outcome outcome, long endNanos) {
      if (DONE.compareAndSet(this, 0, 1)) {
        delegate.complete(latencyNanos, outcome, endNanos);
        ended(latencyNanos, outcome);
      }
    }

    private void ended(long latencyNanos, Outcome outcome) {
      Outcome o = outcome == null ? Outcome.CANCELLED : outcome;
      try {
        gate.onEnd(this, o, o == Outcome.CANCELLED ? 0 : Math.max(0L, latencyNanos));
      } catch (RuntimeException e) {
        log.error("admission gate of {} failed on an outcome", delegate.server().id(), e);
      }
    }

    @Override
    public String toString() {
      return delegate + " (admitted by a gate)";
    }
  }
}
