package dev.lbkit.algorithms;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.api.ServerView;
import dev.lbkit.api.Ticker;
import dev.lbkit.api.ZoneRouting;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live balancer of one cluster: keeps the current set of servers and their health, and
 * hands out picks.
 *
 * <p><b>Two planes.</b> Every change (a new server list, a health signal, a drain) runs on a
 * serialized control plane and ends by publishing a new immutable picker with one volatile
 * write. {@link #pick} reads that picker once and never takes a lock, so a pick never sees a
 * server whose removal was published before the pick began.
 *
 * <p><b>Which servers a snapshot offers.</b> The rules apply in this order:
 * <ol>
 *   <li><b>Drain</b>: draining servers get no new picks, ever.
 *   <li><b>Panic</b>: when the pickable fraction of the cluster (summed over priority tiers,
 *       capped at 1) falls below the panic threshold (default 50%), the balancer either
 *       spreads over every non-draining server regardless of health ({@link PanicMode#SPREAD},
 *       the default, as Envoy) or fails fast ({@link PanicMode#FAIL_FAST}). A threshold of 0
 *       disables panic. Each transition into and out of panic is logged once. Servers still
 *       awaiting their first check while {@code unknownPickable} is off take no part: they
 *       neither count towards panic nor receive spread traffic, so a cold start is not a panic.
 *   <li><b>Priority tiers</b> (Envoy's priority levels): each tier's health is {@code min(1,
 *       overprovisioningFactor × pickable / total)}. Tier 0 takes that share of traffic, the
 *       next tier takes what is missing up to its own health, and so on; when the tiers'
 *       health sums to less than 1, shares are normalised.
 *   <li><b>Zones</b>: the {@link ZoneRouting} splits a tier between zones.
 *   <li><b>The algorithm</b> picks within what remains.
 * </ol>
 *
 * <p><b>Health.</b> {@link HealthInput}s feed active verdicts, ejections and weight multipliers
 * through a {@link HealthControl} of their own; any ejection ejects, the worst verdict wins,
 * multipliers multiply. Ejections are capped: at most {@code maxEjectionPercent} of the cluster
 * (default 10%, counted after the ejection in question, across every input), but at least one
 * server in a cluster of two or more, and never the last pickable server.
 *
 * <p><b>Statistics.</b> Each server's in-flight count and latency EWMA live in an {@link
 * Endpoint} that survives list updates in which the server stays.
 *
 * <p>Thread-safe. {@link #close()} stops the source and health inputs; later picks fail.
 */
public final class LoadBalancer implements Picker, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

  /** What the balancer does when too few servers are pickable. */
  public enum PanicMode {
    /** Spread over all non-draining servers, healthy or not (Envoy's default). */
    SPREAD,
    /** Throw {@link NoAvailableServerException} at once. */
    FAIL_FAST
  }

  /**
   * Default panic threshold, 50%: Envoy's default. Below it, health data is more likely wrong
   * (a broken check, a network partition seen by the client only) than half the fleet dead,
   * and concentrating all traffic on the rest would overload them.
   */
  public static final int DEFAULT_PANIC_THRESHOLD_PERCENT = 50;

  /**
   * Default maximum share of servers that passive health may eject, 10%: Envoy's and gRPC's
   * default. Outlier detection guards against a few bad hosts, not a cluster-wide failure.
   */
  public static final int DEFAULT_MAX_EJECTION_PERCENT = 10;

  /**
   * Default overprovisioning factor, 1.4: Envoy's. A tier with at least 1/1.4 ≈ 71% of its
   * servers pickable keeps all of its traffic, because fleets are provisioned with headroom.
   */
  public static final double DEFAULT_OVERPROVISIONING_FACTOR = 1.4;

  /** Default latency EWMA decay time, 10 s: Finagle's default for Peak EWMA. */
  public static final Duration DEFAULT_EWMA_DECAY = Duration.ofSeconds(10);

  /**
   * Default failure penalty, 1 s: the latency a failed call is sampled as, at least. A refused
   * connection fails in about 0.1 ms; sampled as measured, it would make a dead server look
   * like the fastest one to every latency-aware choice. One second is above the latency of a
   * healthy call in most services, so a failing server costs more than any working one, yet
   * with the default 10 s decay its estimate falls back within a few decay times, after which
   * it is tried again. Services whose healthy calls take longer should raise it.
   */
  public static final Duration DEFAULT_FAILURE_PENALTY = Duration.ofSeconds(1);

  private final String cluster;
  private final Algorithm algorithm;
  private final ZoneRouting zoneRouting;
  private final HealthInput[] inputs;
  private final ServerSource source;
  private final Ticker ticker;
  private final RandomSource random;
  private final LoadBalancerListener listener;
  private final boolean unknownPickable;
  private final int panicThresholdPercent;
  private final PanicMode panicMode;
  private final int maxEjectionPercent;
  private final double overprovisioningFactor;
  private final long ewmaDecayNanos;
  private final long failurePenaltyNanos;

  private final SerializingExecutor control = new SerializingExecutor();

  // Control plane only.
  private Map<String, LiveEndpoint> byId = new LinkedHashMap<>();
  private final Set<String> draining = new HashSet<>();
  private boolean dirty;
  private boolean panic;
  private boolean closed;

  private volatile List<Endpoint> endpoints = List.of();
  private volatile Snapshot snapshot;

  private LoadBalancer(Builder b) {
    this.cluster = b.name;
    this.algorithm = b.algorithm;
    this.zoneRouting = b.zoneRouting;
    this.inputs = b.inputs.toArray(new HealthInput[0]);
    this.source = b.source;
    this.ticker = b.ticker;
    this.random = b.random;
    this.listener = b.listener;
    this.unknownPickable = b.unknownPickable;
    this.panicThresholdPercent = b.panicThresholdPercent;
    this.panicMode = b.panicMode;
    this.maxEjectionPercent = b.maxEjectionPercent;
    this.overprovisioningFactor = b.overprovisioningFactor;
    this.ewmaDecayNanos = b.ewmaDecay.toNanos();
    this.failurePenaltyNanos = b.failurePenalty.toNanos();
    this.snapshot = new Snapshot(failing("no servers yet"), new Counts(List.of(), List.of()));
  }

  /** Returns a builder for a cluster called {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The cluster's name. */
  public String name() {
    return cluster;
  }

  /** The algorithm that picks within a tier and zone. */
  public Algorithm algorithm() {
    return algorithm;
  }

  /**
   * Picks a server. Lock-free; allocation-free when the algorithm tracks nothing per call and
   * the context avoids nothing.
   *
   * @throws NoAvailableServerException when no server may be picked, explaining why
   */
  @Override
  public Selection pick(PickContext context) {
    Snapshot current = snapshot;
    String preferred = context.preferredIdOrNull();
    if (preferred != null) {
      Selection s = current.preferred(preferred, context);
      if (s != null) {
        return s;
      }
    }
    return current.picker.pick(context);
  }

  /**
   * Replaces the server list. Servers that stay (same {@link Server#id()}) keep their
   * statistics and health; servers that leave get no pick once this method returns, unless
   * another thread is applying a change at the same moment, in which case that thread
   * publishes it. Duplicate addresses are rejected.
   *
   * @throws IllegalArgumentException when two servers share an address
   */
  public void updateServers(List<Server> servers) {
    Map<String, Server> next = index(ServerLists.requireNoNulls(servers, "servers"));
    control.execute(() -> applyServers(next));
  }

  /** Marks a server as draining: it gets no new picks, and its in-flight calls finish. */
  public void drain(Server server) {
    setDraining(server.id(), true);
  }

  /** Ends a drain started with {@link #drain}. */
  public void undrain(Server server) {
    setDraining(server.id(), false);
  }

  /** A read-only view of every server: state, reason, in-flight count, EWMA and details. */
  public List<ServerView> servers() {
    List<Endpoint> current = endpoints;
    List<ServerView> views = new ArrayList<>(current.size());
    for (Endpoint e : current) {
      views.add(((LiveEndpoint) e).view());
    }
    return Collections.unmodifiableList(views);
  }

  /** Whether the balancer is in panic mode now. */
  public boolean inPanic() {
    return snapshot.panic;
  }

  /** Stops the server source and every health input; later picks fail. Idempotent. */
  @Override
  public void close() {
    control.execute(
        () -> {
          if (closed) {
            return;
          }
          closed = true;
          if (source != null) {
            closeQuietly(source);
          }
          for (HealthInput input : inputs) {
            closeQuietly(input);
          }
          snapshot = new Snapshot(failing("load balancer closed"), snapshot.counts);
        });
  }

  @Override
  public String toString() {
    return "LoadBalancer{" + cluster + ", " + algorithm.name() + ", " + endpoints.size() + " servers}";
  }

  // ------------------------------------------------------------------ control plane

  private void start(List<Server> initial) {
    control.execute(
        () -> {
          for (int i = 0; i < inputs.length; i++) {
            HealthInput input = inputs[i];
            InputControl handle = new InputControl(i);
            try {
              input.start(handle);
            } catch (RuntimeException e) {
              log.error("{}: health input {} failed to start", cluster, input, e);
            }
          }
          if (initial != null) {
            applyServers(index(initial));
          }
          markDirty();
        });
    if (source != null) {
      startSource();
    }
  }

  /**
   * Starts the source; when it throws, closes the health inputs already started (their timers
   * would otherwise reschedule themselves for ever) and rethrows with the cluster's name.
   */
  private void startSource() {
    try {
      source.start(
          new ServerSource.Listener() {
            @Override
            public void onServers(List<Server> servers) {
              Map<String, Server> next = dedupe(servers);
              if (next != null) {
                control.execute(() -> applyServers(next));
              }
            }

            @Override
            public void onError(Throwable error) {
              log.warn("{}: server source {} failed; keeping the last list", cluster, source, error);
            }
          });
    } catch (RuntimeException e) {
      close();
      throw new IllegalStateException(
          cluster + ": server source " + source + " failed to start: " + e.getMessage(), e);
    }
  }

  private void applyServers(Map<String, Server> next) {
    if (closed) {
      return;
    }
    List<Server> added = new ArrayList<>();
    List<Server> removed = new ArrayList<>();
    boolean changed = false;
    boolean sameOrder = next.size() == byId.size();
    Iterator<String> previous = byId.keySet().iterator();
    Map<String, LiveEndpoint> rebuilt = new LinkedHashMap<>(capacity(next.size()));
    for (Server s : next.values()) {
      String id = s.id();
      sameOrder = sameOrder && id.equals(previous.next());
      LiveEndpoint ep = byId.get(id);
      if (ep == null) {
        ep = new LiveEndpoint(
            s, inputs.length, unknownPickable, ticker, ewmaDecayNanos, failurePenaltyNanos, this::onOutcome);
        added.add(s);
        ep.publishHealth(combine(ep));
      } else if (!ep.server().equals(s)) {
        ep.setServer(s);
        ep.publishHealth(ep.health());
        changed = true;
      }
      rebuilt.put(id, ep);
    }
    if (rebuilt.size() - added.size() != byId.size()) {
      for (Map.Entry<String, LiveEndpoint> e : byId.entrySet()) {
        if (!rebuilt.containsKey(e.getKey())) {
          removed.add(e.getValue().server());
        }
      }
    }
    if (!changed && added.isEmpty() && removed.isEmpty() && sameOrder) {
      return;
    }
    byId = rebuilt;
    draining.retainAll(byId.keySet());
    List<Endpoint> list = List.copyOf(byId.values());
    endpoints = list;
    // Publish the new picker before telling anyone: removed servers get no new picks first.
    rebuild();
    if (!added.isEmpty() || !removed.isEmpty()) {
      log.info("{}: servers changed: {} added, {} removed, {} now", cluster, added.size(), removed.size(), list.size());
      notifyListener(() -> listener.onServersChanged(cluster, List.copyOf(added), List.copyOf(removed)));
    }
    for (HealthInput input : inputs) {
      try {
        input.onServersChanged(list);
      } catch (RuntimeException e) {
        log.error("{}: health input {} failed on a server list change", cluster, input, e);
      }
    }
  }

  private void setDraining(String id, boolean drain) {
    control.execute(
        () -> {
          LiveEndpoint ep = byId.get(id);
          if (ep == null) {
            return;
          }
          if (drain ? draining.add(id) : draining.remove(id)) {
            updateHealth(ep);
          }
        });
  }

  /** Recombines an endpoint's signals, publishes the result, and rebuilds when picks change. */
  private void updateHealth(LiveEndpoint ep) {
    HealthState before = ep.health();
    HealthState after = combine(ep);
    if (after.equals(before)) {
      return;
    }
    ep.publishHealth(after);
    // Inputs hear of the change before the rebuild is queued, so that what they change in
    // response (slow start's first weight) lands in the same rebuild: no snapshot offers the
    // server at full weight in between.
    for (HealthInput input : inputs) {
      try {
        input.onHealthChanged(ep, before, after);
      } catch (RuntimeException e) {
        log.error("{}: health input {} failed on a health change", cluster, input, e);
      }
    }
    // A status change between two unpickable states (unknown -> unhealthy) rebuilds too: the
    // snapshot's counts explain empty picks and must not go stale.
    if (before.status() != after.status()
        || (before.weightMultiplier() != after.weightMultiplier() && algorithm.rebuildsOnWeightChange())) {
      markDirty();
    }
    if (before.status() != after.status()) {
      log.info("{}: {} is now {}", cluster, ep.server().id(), after.reason());
    }
    notifyListener(() -> listener.onHealthChanged(cluster, ep.server(), before, after));
  }

  private HealthState combine(LiveEndpoint ep) {
    ActiveHealth verdict = null;
    String verdictReason = null;
    String ejection = null;
    double multiplier = 1.0;
    for (int i = 0; i < inputs.length; i++) {
      ActiveHealth a = ep.active[i];
      if (a != null && (verdict == null || rank(a) > rank(verdict))) {
        verdict = a;
        verdictReason = ep.activeReason[i];
      }
      if (ejection == null) {
        ejection = ep.ejection[i];
      }
      multiplier *= ep.multiplier[i];
    }
    return HealthState.initial(unknownPickable)
        .withActive(verdict == null ? ActiveHealth.UNKNOWN : verdict, verdictReason)
        .withEjection(ejection)
        .withDraining(draining.contains(ep.server().id()))
        .withWeightMultiplier(Math.max(multiplier, Double.MIN_NORMAL));
  }

  private static int rank(ActiveHealth a) {
    // The worst verdict of any input wins: UNHEALTHY over UNKNOWN over HEALTHY.
    return a == ActiveHealth.UNHEALTHY ? 2 : a == ActiveHealth.UNKNOWN ? 1 : 0;
  }

  private void markDirty() {
    if (!dirty) {
      dirty = true;
      // Queued behind the current task, so a burst of changes costs one rebuild.
      control.execute(
          () -> {
            if (dirty) {
              rebuild();
            }
          });
    }
  }

  private void rebuild() {
    dirty = false;
    if (closed) {
      return;
    }
    List<LiveEndpoint> all = new ArrayList<>(byId.values());
    List<LiveEndpoint> pickable = new ArrayList<>(all.size());
    TreeMap<Integer, List<Endpoint>> tierAll = new TreeMap<>();
    TreeMap<Integer, List<Endpoint>> tierPickable = new TreeMap<>();
    List<Endpoint> nonDraining = new ArrayList<>(all.size());
    // Servers with a verdict (or pickable without one): panic judges only these. A server still
    // awaiting its first check while unknownPickable is off is neither good nor bad yet;
    // counting it would put every cold start in panic and spread traffic onto servers the
    // user asked to wait for.
    List<Endpoint> judged = new ArrayList<>(all.size());
    int[] judgedPerTier = new int[Server.MAX_PRIORITY + 1];
    Map<String, HealthControl.AdmissionGate> gates = new HashMap<>();
    for (LiveEndpoint ep : all) {
      HealthState h = ep.health();
      if (h.draining()) {
        continue;
      }
      nonDraining.add(ep);
      if (h.status() != HealthState.Status.UNKNOWN) {
        judged.add(ep);
        judgedPerTier[ep.server().priority()]++;
      }
      int tier = ep.server().priority();
      tierAll.computeIfAbsent(tier, t -> new ArrayList<>()).add(ep);
      if (h.pickable()) {
        pickable.add(ep);
        tierPickable.computeIfAbsent(tier, t -> new ArrayList<>()).add(ep);
        HealthControl.AdmissionGate gate = ep.gate;
        if (gate != null) {
          gates.put(ep.server().id(), gate);
        }
      }
    }
    Counts counts = new Counts(all, pickable);

    double rawHealth = 0;
    for (int tier : tierAll.keySet()) {
      if (judgedPerTier[tier] > 0) {
        rawHealth += (double) tierPickable.getOrDefault(tier, List.of()).size() / judgedPerTier[tier];
      }
    }
    rawHealth = Math.min(1.0, rawHealth);
    boolean panicNow = !judged.isEmpty() && rawHealth * 100.0 < panicThresholdPercent;
    // Built only when panic changes or holds: String.format is costly on every rebuild.
    String panicDetail =
        panicNow || panicNow != panic
            ? String.format(
                "panic: %d of %d servers pickable, below the %d%% panic threshold",
                pickable.size(), judged.size(), panicThresholdPercent)
            : null;
    if (panicNow != panic) {
      panic = panicNow;
      String detail;
      if (panicNow) {
        detail = panicDetail;
        log.warn("{}: entering {}; {}", cluster, panicDetail,
            panicMode == PanicMode.SPREAD ? "spreading over every non-draining server" : "failing fast");
      } else {
        detail = String.format(
            "panic over: %d of %d servers pickable, at or above the %d%% panic threshold",
            pickable.size(), judged.size(), panicThresholdPercent);
        log.info("{}: {}", cluster, detail);
      }
      notifyListener(() -> listener.onPanic(cluster, panicNow, detail));
    }

    Picker picker;
    if (nonDraining.isEmpty()) {
      picker = failing(all.isEmpty() ? null : "every server is draining");
    } else if (panicNow) {
      if (panicMode == PanicMode.FAIL_FAST) {
        picker = failing(panicDetail + "; fail-fast mode");
      } else {
        // Spreading ignores health verdicts and tiers; admission gates still apply.
        for (Endpoint ep : judged) {
          HealthControl.AdmissionGate gate = ((LiveEndpoint) ep).gate;
          if (gate != null) {
            gates.put(ep.server().id(), gate);
          }
        }
        picker = route(judged, judged, counts);
      }
    } else if (pickable.isEmpty()) {
      picker = failing(null);
    } else {
      picker = tiered(tierAll, tierPickable, counts);
    }
    Map<String, HealthControl.AdmissionGate> gateMap = Map.copyOf(gates);
    if (!gates.isEmpty()) {
      picker = new GatedPicker(picker, gateMap, counts);
    }
    List<? extends Endpoint> offered = nonDraining.isEmpty() ? List.of()
        : panicNow ? (panicMode == PanicMode.FAIL_FAST ? List.of() : judged)
        : pickable;
    snapshot = new Snapshot(picker, counts, panicNow, offered, gateMap);
  }

  private Picker tiered(
      TreeMap<Integer, List<Endpoint>> tierAll, TreeMap<Integer, List<Endpoint>> tierPickable, Counts counts) {
    List<Picker> pickers = new ArrayList<>();
    List<Double> loads = new ArrayList<>();
    double remaining = 1.0;
    double healthSum = 0;
    List<Double> healths = new ArrayList<>();
    for (Map.Entry<Integer, List<Endpoint>> t : tierAll.entrySet()) {
      List<Endpoint> pickable = tierPickable.get(t.getKey());
      if (pickable == null) {
        continue;
      }
      double health = Math.min(1.0, overprovisioningFactor * pickable.size() / t.getValue().size());
      healths.add(health);
      healthSum += health;
      double load = Math.min(remaining, health);
      remaining -= load;
      loads.add(load);
      pickers.add(route(pickable, t.getValue(), counts));
    }
    if (remaining > 1e-9) {
      // Not enough healthy capacity anywhere: split in proportion to each tier's health.
      for (int i = 0; i < loads.size(); i++) {
        loads.set(i, healths.get(i) / healthSum);
      }
    }
    // Tiers that get no traffic stay as fallbacks for requests whose avoid set empties the rest.
    return pickers.size() == 1 ? pickers.get(0) : new TieredPicker(pickers, loads, random, counts);
  }

  private Picker route(List<Endpoint> pickable, List<Endpoint> all, Counts counts) {
    Function<List<Endpoint>, Picker> build = list -> algorithm.newPicker(List.copyOf(list), counts);
    return zoneRouting.route(List.copyOf(pickable), List.copyOf(all), build, counts);
  }

  private Picker failing(String detail) {
    return ctx -> {
      throw snapshot.counts.noServerAvailable(ctx, detail);
    };
  }

  private void onOutcome(LiveEndpoint ep, Outcome outcome, long latencyNanos) {
    for (HealthInput input : inputs) {
      try {
        input.onOutcome(ep, outcome, latencyNanos);
      } catch (RuntimeException e) {
        log.error("{}: health input {} failed on an outcome", cluster, input, e);
      }
    }
  }

  private void notifyListener(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.error("{}: listener failed", cluster, e);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.warn("closing {} failed", c, e);
    }
  }


  /** The source's list by id, first entry kept; null (logged) when an element is null. */
  private Map<String, Server> dedupe(List<Server> servers) {
    Map<String, Server> unique = new LinkedHashMap<>(capacity(servers.size()));
    for (int i = 0; i < servers.size(); i++) {
      Server s = servers.get(i);
      if (s == null) {
        log.error("{}: server source {} pushed a list whose servers[{}] is null; keeping the last list",
            cluster, source, i);
        return null;
      }
      if (unique.putIfAbsent(s.id(), s) != null) {
        log.warn("{}: server source listed {} twice; keeping the first entry", cluster, s.id());
      }
    }
    return unique;
  }

  /** Indexes servers by id, in list order, rejecting duplicate addresses. */
  private static Map<String, Server> index(Collection<Server> servers) {
    Map<String, Server> byAddress = new LinkedHashMap<>(capacity(servers.size()));
    for (Server s : servers) {
      if (byAddress.put(s.id(), s) != null) {
        throw new IllegalArgumentException("servers must have distinct addresses, " + s.id() + " appears twice");
      }
    }
    return byAddress;
  }

  private static int capacity(int entries) {
    return (int) (entries / 0.75f) + 1;
  }


  // ------------------------------------------------------------------ snapshot types

  private static final class Snapshot {
    final Picker picker;
    final Counts counts;
    final boolean panic;
    /** The servers this snapshot offers, by id: what a preferred server must be among. */
    final Map<String, LiveEndpoint> offered;
    final Map<String, HealthControl.AdmissionGate> gates;

    Snapshot(Picker picker, Counts counts) {
      this(picker, counts, false, List.of(), Map.of());
    }

    Snapshot(
        Picker picker,
        Counts counts,
        boolean panic,
        List<? extends Endpoint> offered,
        Map<String, HealthControl.AdmissionGate> gates) {
      this.picker = picker;
      this.counts = counts;
      this.panic = panic;
      Map<String, LiveEndpoint> byId = new HashMap<>(capacity(offered.size()));
      for (Endpoint e : offered) {
        byId.put(e.server().id(), (LiveEndpoint) e);
      }
      this.offered = byId;
      this.gates = gates;
    }

    /**
     * The preferred server's selection (tracked, so load-aware algorithms see it), or null when
     * this snapshot does not offer it, the context avoids it, or its admission gate refuses.
     */
    Selection preferred(String id, PickContext context) {
      LiveEndpoint ep = offered.get(id);
      if (ep == null || context.avoids(ep.server())) {
        return null;
      }
      Selection s = ep.track();
      HealthControl.AdmissionGate gate = gates.get(id);
      if (gate == null) {
        return s;
      }
      GatedSelection gated = new GatedSelection(s, gate);
      if (gate.tryAdmit(gated)) {
        return gated;
      }
      ((LiveEndpoint.TrackedSelection) s).abandon();
      return null;
    }
  }

  /** The counts of one snapshot, to explain empty picks; also the algorithms' context. */
  private final class Counts implements AlgorithmContext {
    final int total;
    final int unhealthy;
    final int ejected;
    final int drainingCount;
    final int unknown;
    final List<LiveEndpoint> pickable;

    Counts(List<LiveEndpoint> all, List<LiveEndpoint> pickable) {
      int u = 0;
      int e = 0;
      int d = 0;
      int k = 0;
      for (LiveEndpoint ep : all) {
        switch (ep.health().status()) {
          case UNHEALTHY:
            u++;
            break;
          case EJECTED:
            e++;
            break;
          case DRAINING:
            d++;
            break;
          case UNKNOWN:
            k++;
            break;
          default:
            break;
        }
      }
      this.total = all.size();
      this.unhealthy = u;
      this.ejected = e;
      this.drainingCount = d;
      this.unknown = k;
      this.pickable = pickable;
    }

    @Override
    public String cluster() {
      return cluster;
    }

    @Override
    public Ticker ticker() {
      return ticker;
    }

    @Override
    public RandomSource random() {
      return random;
    }

    @Override
    public NoAvailableServerException noServerAvailable(PickContext context, String detail) {
      // The failure path only: O(N) here keeps every rebuild free of an id set.
      int avoided = 0;
      if (context.hasAvoid()) {
        for (LiveEndpoint ep : pickable) {
          if (context.avoids(ep.server())) {
            avoided++;
          }
        }
      }
      return new NoAvailableServerException(
          cluster, total, pickable.size(), unhealthy, ejected, drainingCount, unknown, avoided, detail);
    }
  }

  /** Chooses a tier by its share of traffic, then lets that tier's picker choose. */
  private static final class TieredPicker implements Picker {
    private final Picker[] pickers;
    private final double[] cumulative;
    private final RandomSource random;
    private final Counts counts;

    TieredPicker(List<Picker> pickers, List<Double> loads, RandomSource random, Counts counts) {
      this.pickers = pickers.toArray(new Picker[0]);
      this.cumulative = new double[loads.size()];
      double sum = 0;
      for (int i = 0; i < loads.size(); i++) {
        sum += loads.get(i);
        cumulative[i] = sum;
      }
      this.random = random;
      this.counts = counts;
    }

    @Override
    public Selection pick(PickContext ctx) {
      double r = random.nextDouble() * cumulative[cumulative.length - 1];
      int chosen = cumulative.length - 1;
      for (int i = 0; i < cumulative.length; i++) {
        if (r < cumulative[i]) {
          chosen = i;
          break;
        }
      }
      try {
        return pickers[chosen].pick(ctx);
      } catch (NoAvailableServerException exhausted) {
        // Rare path: the avoid set emptied the chosen tier; fall back tier by tier.
        for (int i = 0; i < pickers.length; i++) {
          if (i != chosen) {
            try {
              return pickers[i].pick(ctx);
            } catch (NoAvailableServerException ignored) {
              // try the next tier
            }
          }
        }
        throw counts.noServerAvailable(ctx, null);
      }
    }
  }

  /**
   * Asks admission gates (half-open breakers) before handing out a selection. An admitted pick
   * is wrapped so that its gate learns how that very pick ended ({@link
   * HealthControl.AdmissionGate#onEnd}); a refused one is released at once.
   */
  private static final class GatedPicker implements Picker {
    private final Picker delegate;
    private final Map<String, HealthControl.AdmissionGate> gates;
    private final Counts counts;

    GatedPicker(Picker delegate, Map<String, HealthControl.AdmissionGate> gates, Counts counts) {
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
    private static void release(Selection s) {
      if (s instanceof LiveEndpoint.TrackedSelection) {
        ((LiveEndpoint.TrackedSelection) s).abandon();
      }
    }
  }

  /** A pick admitted by a gate: tells the gate how it ended, exactly once. */
  private static final class GatedSelection implements Selection {
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
        Outcome o = outcome == null ? Outcome.CANCELLED : outcome;
        try {
          gate.onEnd(this, o, o == Outcome.CANCELLED ? 0 : Math.max(0L, latencyNanos));
        } catch (RuntimeException e) {
          log.error("admission gate of {} failed on an outcome", delegate.server().id(), e);
        }
      }
    }

    @Override
    public String toString() {
      return delegate + " (admitted by a gate)";
    }
  }

  /**
   * The gates of several inputs on one server: admits only when every gate admits, and gives
   * the pick back to the gates that admitted it when a later one refuses.
   */
  private static final class CombinedGate implements HealthControl.AdmissionGate {
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

  // ------------------------------------------------------------------ health control

  private final class InputControl implements HealthControl {
    private final int index;

    InputControl(int index) {
      this.index = index;
    }

    @Override
    public String cluster() {
      return cluster;
    }

    @Override
    public Ticker ticker() {
      return ticker;
    }

    @Override
    public RandomSource random() {
      return random;
    }

    @Override
    public List<Endpoint> endpoints() {
      return endpoints;
    }

    @Override
    public void setActive(Server server, ActiveHealth verdict, String reason) {
      Objects.requireNonNull(verdict, "verdict");
      onEndpoint(server, ep -> {
        ep.active[index] = verdict;
        ep.activeReason[index] = reason;
        updateHealth(ep);
      });
    }

    @Override
    public boolean eject(Server server, String reason) {
      Objects.requireNonNull(reason, "reason");
      boolean[] result = new boolean[1];
      Runnable task = () -> {
        LiveEndpoint ep = byId.get(server.id());
        if (ep == null || closed) {
          return;
        }
        if (ep.ejection[index] != null) {
          result[0] = true;
          return;
        }
        if (!ep.health().ejected() && !ejectionAllowed(ep)) {
          // Debug: inputs retry, and each logs its own refusal once.
          log.debug("{}: not ejecting {} ({}): the ejection cap or the last pickable server forbids it",
              cluster, server.id(), reason);
          return;
        }
        ep.ejection[index] = reason;
        updateHealth(ep);
        result[0] = true;
      };
      // Exact only on the control plane, or when this call gets to drain it. When another
      // thread is draining, the task is queued and this returns false although the ejection may
      // still happen: inputs that need the answer call eject from a task given to execute().
      if (control.inControlPlane()) {
        task.run();
      } else {
        control.execute(task);
      }
      return result[0];
    }

    @Override
    public void uneject(Server server) {
      onEndpoint(server, ep -> {
        if (ep.ejection[index] != null) {
          ep.ejection[index] = null;
          updateHealth(ep);
        }
      });
    }

    @Override
    public void setWeightMultiplier(Server server, double multiplier) {
      if (!(multiplier > 0.0 && multiplier <= 1.0)) {
        throw new IllegalArgumentException("multiplier must be in (0, 1], was " + multiplier);
      }
      onEndpoint(server, ep -> {
        ep.multiplier[index] = multiplier;
        updateHealth(ep);
      });
    }

    @Override
    public void setAdmissionGate(Server server, AdmissionGate gate) {
      onEndpoint(server, ep -> {
        ep.gates[index] = gate;
        List<AdmissionGate> installed = new ArrayList<>();
        for (AdmissionGate g : ep.gates) {
          if (g != null) {
            installed.add(g);
          }
        }
        ep.gate = installed.isEmpty() ? null
            : installed.size() == 1 ? installed.get(0)
            : new CombinedGate(installed.toArray(new AdmissionGate[0]));
        markDirty();
      });
    }

    @Override
    public void setDetail(Server server, String key, String value) {
      onEndpoint(server, ep -> {
        if (value == null) {
          ep.details.remove(key);
        } else {
          ep.details.put(key, value);
        }
      });
    }

    @Override
    public void execute(Runnable task) {
      control.execute(task);
    }

    private void onEndpoint(Server server, java.util.function.Consumer<LiveEndpoint> action) {
      control.execute(() -> {
        LiveEndpoint ep = byId.get(server.id());
        if (ep != null && !closed) {
          action.accept(ep);
        }
      });
    }
  }

  /** Whether one more ejection keeps within the cap and leaves a pickable server. */
  private boolean ejectionAllowed(LiveEndpoint candidate) {
    int total = byId.size();
    if (total < 2) {
      return false;
    }
    int ejected = 0;
    int pickable = 0;
    for (LiveEndpoint ep : byId.values()) {
      if (ep.health().ejected()) {
        ejected++;
      }
      if (ep.health().pickable()) {
        pickable++;
      }
    }
    int cap = Math.max(1, (int) Math.floor(total * maxEjectionPercent / 100.0));
    if (maxEjectionPercent == 0) {
      cap = 0;
    }
    boolean leavesPickable = !candidate.health().pickable() || pickable > 1;
    return ejected + 1 <= cap && leavesPickable;
  }

  // ------------------------------------------------------------------ builder

  /**
   * Builds a {@link LoadBalancer}. Every setting is validated in {@link #build()}; messages name
   * the field and the value. Not thread-safe.
   */
  public static final class Builder {
    private final String name;
    private Algorithm algorithm = Algorithms.roundRobin();
    private ZoneRouting zoneRouting = ZoneRouting.NONE;
    private final List<HealthInput> inputs = new ArrayList<>();
    private List<Server> servers;
    private ServerSource source;
    private Ticker ticker = Ticker.SYSTEM;
    private RandomSource random = RandomSource.threadLocal();
    private LoadBalancerListener listener = LoadBalancerListener.NONE;
    private boolean unknownPickable = true;
    private int panicThresholdPercent = DEFAULT_PANIC_THRESHOLD_PERCENT;
    private PanicMode panicMode = PanicMode.SPREAD;
    private int maxEjectionPercent = DEFAULT_MAX_EJECTION_PERCENT;
    private double overprovisioningFactor = DEFAULT_OVERPROVISIONING_FACTOR;
    private Duration ewmaDecay = DEFAULT_EWMA_DECAY;
    private Duration failurePenalty = DEFAULT_FAILURE_PENALTY;

    private Builder(String name) {
      this.name = name;
    }

    /** The algorithm; default {@link Algorithms#roundRobin()}. */
    public Builder algorithm(Algorithm algorithm) {
      this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
      return this;
    }

    /**
     * A fixed list of servers. Exclusive with {@link #source}.
     *
     * @throws NullPointerException naming the index of a null server, as {@code servers[2] must
     *     not be null}
     */
    public Builder servers(List<Server> servers) {
      this.servers = List.copyOf(ServerLists.requireNoNulls(servers, "servers"));
      return this;
    }

    /**
     * A fixed list of servers. Exclusive with {@link #source}.
     *
     * @throws NullPointerException naming the index of a null server, as {@code servers[2] must
     *     not be null}
     */
    public Builder servers(Server... servers) {
      return servers(servers == null ? null : java.util.Arrays.asList(servers));
    }

    /** Where servers come from. Exclusive with {@link #servers}. */
    public Builder source(ServerSource source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /** Adds a health input: active checks, outlier detection, breakers, slow start. */
    public Builder healthInput(HealthInput input) {
      inputs.add(Objects.requireNonNull(input, "input"));
      return this;
    }

    /** The zone stage; default {@link ZoneRouting#NONE}. */
    public Builder zoneRouting(ZoneRouting routing) {
      this.zoneRouting = Objects.requireNonNull(routing, "zoneRouting");
      return this;
    }

    /** The clock; default {@link Ticker#SYSTEM}. Tests inject a fake. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** The random source; default {@link RandomSource#threadLocal()}. */
    public Builder random(RandomSource random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** Receives state changes; default {@link LoadBalancerListener#NONE}. */
    public Builder listener(LoadBalancerListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Whether a server with no active verdict yet may be picked; default true, so that a
     * cluster without active checks works, and a new server takes traffic at once (slow start
     * softens that). Set false to wait for the first passing check.
     */
    public Builder unknownPickable(boolean allowed) {
      this.unknownPickable = allowed;
      return this;
    }

    /** Panic threshold in percent, [0, 100]; 0 disables panic. Default {@value #DEFAULT_PANIC_THRESHOLD_PERCENT}. */
    public Builder panicThresholdPercent(int percent) {
      this.panicThresholdPercent = percent;
      return this;
    }

    /** What panic does; default {@link PanicMode#SPREAD}. */
    public Builder panicMode(PanicMode mode) {
      this.panicMode = Objects.requireNonNull(mode, "panicMode");
      return this;
    }

    /** Maximum share of servers passive health may eject, [0, 100]. Default {@value #DEFAULT_MAX_EJECTION_PERCENT}. */
    public Builder maxEjectionPercent(int percent) {
      this.maxEjectionPercent = percent;
      return this;
    }

    /** Priority overprovisioning factor, at least 1. Default {@value #DEFAULT_OVERPROVISIONING_FACTOR}. */
    public Builder overprovisioningFactor(double factor) {
      this.overprovisioningFactor = factor;
      return this;
    }

    /** Decay time of the latency EWMAs, positive. Default 10 s. */
    public Builder ewmaDecay(Duration decay) {
      this.ewmaDecay = Objects.requireNonNull(decay, "ewmaDecay");
      return this;
    }

    /**
     * The latency a failed call is sampled as, at least, by every latency-aware part (least
     * response time, latency-based zone choice); positive. Default 1 s: see {@link
     * #DEFAULT_FAILURE_PENALTY}.
     */
    public Builder failurePenalty(Duration penalty) {
      this.failurePenalty = Objects.requireNonNull(penalty, "failurePenalty");
      return this;
    }

    /**
     * Validates the settings, builds the balancer, attaches health inputs and starts the
     * source.
     *
     * @throws IllegalArgumentException naming the field and the value of a bad setting
     */
    public LoadBalancer build() {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("name must not be empty, was " + (name == null ? "null" : "'" + name + "'"));
      }
      if (servers != null && source != null) {
        throw new IllegalArgumentException("servers and source are exclusive, both were set");
      }
      if (servers == null && source == null) {
        throw new IllegalArgumentException("servers or source must be set, neither was");
      }
      if (panicThresholdPercent < 0 || panicThresholdPercent > 100) {
        throw new IllegalArgumentException("panicThresholdPercent must be in [0, 100], was " + panicThresholdPercent);
      }
      if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
        throw new IllegalArgumentException("maxEjectionPercent must be in [0, 100], was " + maxEjectionPercent);
      }
      if (!(overprovisioningFactor >= 1.0) || Double.isInfinite(overprovisioningFactor)) {
        throw new IllegalArgumentException("overprovisioningFactor must be a finite number >= 1, was " + overprovisioningFactor);
      }
      if (ewmaDecay.isZero() || ewmaDecay.isNegative()) {
        throw new IllegalArgumentException("ewmaDecay must be positive, was " + ewmaDecay);
      }
      if (failurePenalty.isZero() || failurePenalty.isNegative()) {
        throw new IllegalArgumentException("failurePenalty must be positive, was " + failurePenalty);
      }
      if (servers != null) {
        index(servers);
        algorithm.validate(servers.size());
      }
      LoadBalancer lb = new LoadBalancer(this);
      lb.start(servers);
      return lb;
    }
  }
}
