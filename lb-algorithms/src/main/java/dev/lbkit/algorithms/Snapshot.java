package dev.lbkit.algorithms;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl.AdmissionGate;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One immutable state of a balancer, published with one volatile write and read once per pick:
 * the picker, its context (counts that explain an empty pick), whether it is in panic, and the
 * servers it offers with their admission gates, for preferred-server picks, and every server with
 * the configuration and health it was built from, so that views and gauges read one consistent
 * state. Built by {@link SnapshotBuilder}.
 */
final class Snapshot {
  final Picker picker;
  final SnapshotContext context;
  final boolean panic;
  /** The panic detail while in panic or when panic changed; null otherwise. */
  final String panicDetail;
  final int pickableCount;
  final int judgedCount;
  /** The servers this snapshot offers, by id: what a preferred server must be among. */
  private final Map<String, Endpoint> offered;
  private final Map<String, AdmissionGate> gates;
  /** Every server of the snapshot, in list order, with the server and health it was built from. */
  final List<? extends Endpoint> all;
  final Server[] servers;
  final HealthState[] health;

  Snapshot(
      Picker picker,
      SnapshotContext context,
      boolean panic,
      String panicDetail,
      int pickableCount,
      int judgedCount,
      List<? extends Endpoint> offered,
      Map<String, AdmissionGate> gates,
      List<? extends Endpoint> all,
      Server[] servers,
      HealthState[] health) {
    this.picker = picker;
    this.all = all;
    this.servers = servers;
    this.health = health;
    this.context = context;
    this.panic = panic;
    this.panicDetail = panicDetail;
    this.pickableCount = pickableCount;
    this.judgedCount = judgedCount;
    Map<String, Endpoint> byId = new HashMap<>((int) (offered.size() / 0.75f) + 1);
    for (Endpoint e : offered) {
      byId.put(e.server().id(), e);
    }
    this.offered = byId;
    this.gates = gates;
  }

  /** The same picker and counts over {@code endpoints}' current servers and health. */
  Snapshot withHealthOf(List<? extends Endpoint> endpoints) {
    Server[] s = new Server[endpoints.size()];
    HealthState[] h = new HealthState[endpoints.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = endpoints.get(i).server();
      h[i] = endpoints.get(i).health();
    }
    return new Snapshot(picker, context, panic, panicDetail, pickableCount, judgedCount, offeredList(), gates,
        endpoints, s, h);
  }

  private List<Endpoint> offeredList() {
    return List.copyOf(offered.values());
  }

  /** How many servers this snapshot offers: in panic, how many it spreads over. */
  int offeredCount() {
    return offered.size();
  }

  /** The same state with another picker: a closed balancer's. */
  Snapshot withPicker(Picker failing) {
    return new Snapshot(failing, context, panic, panicDetail, pickableCount, judgedCount, List.of(), Map.of(),
        all, servers, health);
  }

  /**
   * The preferred server's selection (tracked, so load-aware algorithms see it), or null when
   * this snapshot does not offer it, the context avoids it, or its admission gate refuses.
   */
  Selection preferred(String id, PickContext context) {
    Endpoint ep = offered.get(id);
    if (ep == null || context.avoids(ep.server())) {
      return null;
    }
    Selection s = ep.track();
    AdmissionGate gate = gates.get(id);
    if (gate == null) {
      return s;
    }
    GatedPicker.GatedSelection gated = new GatedPicker.GatedSelection(s, gate);
    if (gate.tryAdmit(gated)) {
      return gated;
    }
    GatedPicker.release(s);
    return null;
  }
}
