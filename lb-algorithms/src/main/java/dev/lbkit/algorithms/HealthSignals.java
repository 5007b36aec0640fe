package dev.lbkit.algorithms;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl.AdmissionGate;
import dev.lbkit.api.HealthState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The health signals of every server, one slot per health input: active verdicts and their
 * reasons, ejections, weight multipliers and admission gates; plus drains. Owns the rules that
 * combine them into one {@link HealthState} (the worst verdict wins, any ejection ejects,
 * multipliers multiply) and the ejection cap.
 *
 * <p><b>Threading.</b> Control plane only: every method runs serialized, so nothing here is
 * synchronized. The combined results are published through {@link LiveEndpoint#publishHealth}
 * and the snapshot, never read from here by a pick.
 */
final class HealthSignals {

  private final int inputs;
  private final boolean unknownPickable;
  private final int maxEjectionPercent;
  private final Map<String, Slots> byId = new HashMap<>();
  private final Set<String> draining = new HashSet<>();
  /** Servers the source pushed as draining, apart from the user's drains. */
  private Set<String> sourceDraining = Set.of();
  /** Servers whose refused ejection was logged since the ejections last changed. */
  private final Set<String> refusalsLogged = new HashSet<>();

  /** One server's signals, indexed by input. */
  private static final class Slots {
    final ActiveHealth[] active;
    final String[] activeReason;
    final String[] ejection;
    final double[] multiplier;
    final AdmissionGate[] gates;
    AdmissionGate gate; // the combined gate; null while no input installs one

    Slots(int inputs) {
      active = new ActiveHealth[inputs];
      activeReason = new String[inputs];
      ejection = new String[inputs];
      multiplier = new double[inputs];
      Arrays.fill(multiplier, 1.0);
      gates = new AdmissionGate[inputs];
    }
  }

  HealthSignals(int inputs, boolean unknownPickable, int maxEjectionPercent) {
    this.inputs = inputs;
    this.unknownPickable = unknownPickable;
    this.maxEjectionPercent = maxEjectionPercent;
  }

  /**
   * Keeps the signals of servers in {@code ids} and starts empty ones for new ids; a server that
   * leaves and returns starts afresh.
   */
  void retainOnly(Collection<String> ids) {
    byId.keySet().retainAll(ids);
    draining.retainAll(ids);
    refusalsLogged.retainAll(ids);
    for (String id : ids) {
      byId.computeIfAbsent(id, k -> new Slots(inputs));
    }
  }

  /** The combined health of server {@code id}. */
  HealthState combine(String id) {
    Slots s = slots(id);
    ActiveHealth verdict = null;
    String verdictReason = null;
    String ejection = null;
    double multiplier = 1.0;
    for (int i = 0; i < inputs; i++) {
      ActiveHealth a = s.active[i];
      if (a != null && (verdict == null || rank(a) > rank(verdict))) {
        verdict = a;
        verdictReason = s.activeReason[i];
      }
      if (ejection == null) {
        ejection = s.ejection[i];
      }
      multiplier *= s.multiplier[i];
    }
    return HealthState.initial(unknownPickable)
        .withActive(verdict == null ? ActiveHealth.UNKNOWN : verdict, verdictReason)
        .withEjection(ejection)
        .withDraining(draining.contains(id) || sourceDraining.contains(id))
        .withWeightMultiplier(Math.max(multiplier, Double.MIN_NORMAL));
  }

  private static int rank(ActiveHealth a) {
    // The worst verdict of any input wins: UNHEALTHY over UNKNOWN over HEALTHY.
    return a == ActiveHealth.UNHEALTHY ? 2 : a == ActiveHealth.UNKNOWN ? 1 : 0;
  }

  void setActive(String id, int input, ActiveHealth verdict, String reason) {
    Slots s = slots(id);
    s.active[input] = verdict;
    s.activeReason[input] = reason;
  }

  /** Whether {@code input} ejects server {@code id}. */
  boolean ejectedBy(String id, int input) {
    return slots(id).ejection[input] != null;
  }

  /** Sets or, with a null reason, lifts the ejection of server {@code id} by {@code input}. */
  void setEjection(String id, int input, String reason) {
    slots(id).ejection[input] = reason;
    refusalsLogged.clear();
  }

  void setMultiplier(String id, int input, double multiplier) {
    slots(id).multiplier[input] = multiplier;
  }

  /** Installs (or, with null, removes) the gate of {@code input} and recombines the server's gate. */
  void setGate(String id, int input, AdmissionGate gate) {
    Slots s = slots(id);
    s.gates[input] = gate;
    List<AdmissionGate> installed = new ArrayList<>();
    for (AdmissionGate g : s.gates) {
      if (g != null) {
        installed.add(g);
      }
    }
    s.gate = installed.isEmpty() ? null
        : installed.size() == 1 ? installed.get(0)
        : new CombinedGate(installed.toArray(new AdmissionGate[0]));
  }

  /** The combined admission gate of server {@code id}, or null. */
  AdmissionGate gate(String id) {
    Slots s = byId.get(id);
    return s == null ? null : s.gate;
  }

  /** Starts or ends a drain; returns whether that changed anything. */
  boolean setDraining(String id, boolean drain) {
    return drain ? draining.add(id) : draining.remove(id);
  }

  /**
   * Replaces the set of servers the source says are draining; returns the ids whose drain by the
   * source started or ended. Drains started with {@link #setDraining} are kept apart: each ends
   * only by its own hand.
   */
  Set<String> setSourceDraining(Set<String> ids) {
    if (ids.equals(sourceDraining)) {
      return Set.of();
    }
    Set<String> changed = new HashSet<>();
    for (String id : sourceDraining) {
      if (!ids.contains(id)) {
        changed.add(id);
      }
    }
    for (String id : ids) {
      if (!sourceDraining.contains(id)) {
        changed.add(id);
      }
    }
    sourceDraining = Set.copyOf(ids);
    return changed;
  }

  /**
   * Why ejecting {@code candidate} is refused, or null when it is allowed: at most {@code
   * maxEjectionPercent} of the cluster (counted after this ejection, across every input), but at
   * least one server in a cluster of two or more, and never the last pickable server. The reason
   * names the rule and, for the cap, the servers holding it: it is what an operator reads in the
   * refusal's warning.
   */
  String ejectionRefusal(Endpoint candidate, Collection<? extends Endpoint> all) {
    int total = all.size();
    if (maxEjectionPercent == 0) {
      return "ejection is off: maxEjectionPercent is 0";
    }
    if (total < 2) {
      return "a cluster of one server never ejects it";
    }
    List<String> holders = new ArrayList<>();
    int pickable = 0;
    for (Endpoint ep : all) {
      if (ep.health().ejected()) {
        holders.add(ep.server().id());
      }
      if (ep.health().pickable()) {
        pickable++;
      }
    }
    int cap = Math.max(1, (int) Math.floor(total * maxEjectionPercent / 100.0));
    if (holders.size() + 1 > cap) {
      return "the ejection cap is reached: maxEjectionPercent " + maxEjectionPercent + "% of " + total
          + " servers allows " + cap + (cap == 1 ? " ejection" : " ejections") + ", held by " + String.join(", ", holders);
    }
    if (candidate.health().pickable() && pickable <= 1) {
      return "it is the last pickable server";
    }
    return null;
  }

  /**
   * Whether the refusal of server {@code id} should be logged: true once per episode, which ends
   * when any ejection starts or ends (the cap's holders change) or the server leaves.
   */
  boolean firstRefusal(String id) {
    return refusalsLogged.add(id);
  }

  private Slots slots(String id) {
    Slots s = byId.get(id);
    if (s == null) {
      throw new IllegalStateException("no health signals for " + id);
    }
    return s;
  }
}
