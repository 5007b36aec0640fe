package dev.lbkit.algorithms;

import dev.lbkit.api.HealthControl;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;

/**
 * The gates of several inputs on one server: admits only when every gate admits, and gives
 * the pick back to the gates that admitted it when a later one refuses.
 */
final class CombinedGate implements HealthControl.AdmissionGate {
  private final HealthControl.AdmissionGate[] gates;

  CombinedGate(HealthControl.AdmissionGate[] gates) {
    this.gates = gates;
  }

  @Override
  public boolean tryAdmit(Selection pick) {
    for (int i = 0; i < gates.length; i++) {
      if (!gates[i].tryAdmit(pick)) {
        for (int j = 0; j < i; j++) {
          gates[j].onEnd(pick, Outcome.CANCELLED, 0);
        }
        return false;
      }
    }
    return true;
  }

  @Override
  public void onEnd(Selection pick, Outcome outcome, long latencyNanos) {
    for (HealthControl.AdmissionGate g : gates) {
      g.onEnd(pick, outcome, latencyNanos);
    }
  }
}
