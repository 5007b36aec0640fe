package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.PickerClosedException;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.api.ServerView;
import dev.lbkit.api.Ticker;
import dev.lbkit.api.ZoneRouting;
import dev.lbkit.api.internal.ServerLists;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live balancer of one cluster: keeps the current set of servers and their health, and
 * hands out picks.
 *
 * <p><b>Two planes.</b> Every change (a new server list, a health signal, a drain) runs on a
 * serialized control plane and ends by publishing a new immutable snapshot and, last, its
 * picker, each with a volatile write. {@link #pick} reads the picker once (the snapshot too when
 * a server is preferred) and never takes a lock, so a pick never sees a server whose removal was
 * published before the pick began.
 *
 * <p><b>Which servers a snapshot offers.</b> The rules apply in this order:
 * <ol>
 *   <li><b>Drain</b>: draining servers get no new picks, ever.
 *   <li><b>Panic</b>: when the pickable fraction of the cluster (summed over priority tiers,
 *       capped at 1) falls below the panic threshold (default 50%), the balancer either
 *       spreads ({@link PanicMode#SPREAD}, the default, as Envoy) or fails fast ({@link
 *       PanicMode#FAIL_FAST}). A threshold of 0 disables panic. Each transition into and out of
 *       panic is logged once. Servers still awaiting their first check while {@code
 *       unknownPickable} is off take no part: they neither count towards panic nor receive spread
 *       traffic, so a cold start is not a panic.
 *       <p>Panic exists for health data that is wrong: a broken check, a partition seen by this
 *       client only. So it spreads over the non-draining servers that only active checks rule
 *       out, and <em>not</em> over those that fresh passive evidence rules out: a server that
 *       passive health ejects (outlier detection, an open breaker), or whose last real call
 *       failed (a refused connect, a 5xx, a timeout; until a success or a passing check). Real
 *       calls that just failed are not wrong data. A spread server whose real call fails leaves
 *       the spread at once. When every server is ruled out this way, panic spreads over all of
 *       them, as nothing is known to be better. Example, three servers with the defaults: B
 *       answers 503 and is ejected, C is stopped and its checks fail; only A is pickable (33%),
 *       and panic sends every pick to A rather than two thirds of them to B and C.
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
 * Endpoint} that survives list updates in which the server stays. Latency is kept only when
 * something reads it: the algorithm ({@link Algorithm#readsLatency()}), the zone routing, or
 * {@link LoadBalancerBuilder#trackLatency}; otherwise a report reads no clock.
 *
 * <p>Thread-safe. {@link #close()} stops the source and health inputs; later picks throw {@link
 * PickerClosedException}.
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
  private final HealthInput[] inputs;
  private final ServerSource source;
  private final Ticker ticker;
  /**
   * What latency statistics and algorithms read: the coarse ticker when the builder asked for one
   * and latency is tracked (released on close), else {@link #ticker}.
   */
  private final Ticker statsTicker;
  private final RandomSource random;
  /** The build-time listener first, then those added later; copy-on-write, read on the control plane. */
  private final CopyOnWriteArrayList<Registered> listeners = new CopyOnWriteArrayList<>();
  private final boolean unknownPickable;
  private final int panicThresholdPercent;
  private final PanicMode panicMode;
  private final long ewmaDecayNanos;
  private final long failurePenaltyNanos;
  private final boolean latencyTracked;
  private final SnapshotBuilder snapshots;
  private final HealthSignals signals;
  /** Leak detection's record of open selections; null while it is off (the default). */
  private final OpenSelections openSelections;

  private final SerializingExecutor control = new SerializingExecutor();

  // Control plane only.
  private Map<String, LiveEndpoint> byId = new LinkedHashMap<>();
  private boolean dirty;
  private boolean stale;
  private boolean closed;

  private volatile List<Endpoint> endpoints = List.of();
  private volatile Snapshot snapshot;
  // The snapshot's picker, so that a pick without a preferred server reaches it with one load
  // fewer. Written right after snapshot; a pick that reads a newer picker than snapshot uses the
  // newer list, as it would a moment later.
  private volatile Picker picker;

  LoadBalancer(LoadBalancerBuilder b) {
    this.cluster = b.name;
    this.algorithm = b.algorithm;
    this.inputs = b.inputs.toArray(new HealthInput[0]);
    this.source = b.source;
    this.ticker = b.ticker;
    this.random = b.random;
    if (b.listener != LoadBalancerListener.NONE) {
      listeners.add(new Registered(b.listener));
    }
    this.unknownPickable = b.unknownPickable;
    this.panicThresholdPercent = b.panicThresholdPercent;
    this.panicMode = b.panicMode;
    this.ewmaDecayNanos = b.ewmaDecay.toNanos();
    this.failurePenaltyNanos = b.failurePenalty.toNanos();
    this.latencyTracked = b.trackLatency || algorithm.readsLatency() || b.zoneRouting.readsLatency();
    this.statsTicker = b.coarseClock && latencyTracked ? CoarseClockTimer.acquire(ticker) : ticker;
    this.signals = new HealthSignals(inputs.length, b.unknownPickable, b.maxEjectionPercent);
    this.snapshots = new SnapshotBuilder(cluster, algorithm, b.zoneRouting, statsTicker, random,
        b.panicThresholdPercent, b.panicMode, b.overprovisioningFactor);
    publish(snapshots.failing("no servers yet"));
    this.openSelections = b.leakDetection == null ? null
        : new OpenSelections(cluster, ticker, b.leakDetection.toNanos());
  }

  /** Returns a builder for a cluster called {@code name}. */
  public static LoadBalancerBuilder builder(String name) {
    return new LoadBalancerBuilder(name);
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
   * Picks a server. Lock-free. A preferred server ({@link PickContext#preferredIdOrNull()}) is
   * returned while the current snapshot offers it and the context does not avoid it.
   *
   * @throws NoAvailableServerException when no server may be picked, explaining why
   */
  @Override
  public Selection pick(PickContext context) {
    String preferred = context.preferredIdOrNull();
    Selection s;
    if (preferred == null) {
      s = picker.pick(context);
    } else {
      Snapshot current = snapshot;
      s = current.preferred(preferred, context);
      if (s == null) {
        s = current.picker.pick(context);
      }
    }
    OpenSelections watch = openSelections;
    return watch == null ? s : watch.watch(s);
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
    control.execute(() -> applyServers(next, Set.of()));
  }

  /** Marks a server as draining: it gets no new picks, and its in-flight calls finish. */
  public void drain(Server server) {
    setDraining(server.id(), true);
  }

  /** Ends a drain started with {@link #drain}. */
  public void undrain(Server server) {
    setDraining(server.id(), false);
  }

  /**
   * A read-only view of every server: state, reason, in-flight count, EWMA, details, and with
   * leak detection on the selections open too long (each logged once). The servers and their
   * health come from the snapshot picks use now, so the views show one state that existed
   * (never, say, more servers ejected at once than the cap allowed); statistics are live.
   */
  public List<ServerView> servers() {
    Snapshot current = snapshot;
    Map<String, Integer> overdue = openSelections == null ? Map.of() : openSelections.overdue();
    List<ServerView> views = new ArrayList<>(current.servers.length);
    for (int i = 0; i < current.servers.length; i++) {
      views.add(((LiveEndpoint) current.all.get(i)).view(current.servers[i], current.health[i],
          overdue.getOrDefault(current.servers[i].id(), 0)));
    }
    return Collections.unmodifiableList(views);
  }

  /**
   * Adds a listener to this running balancer, after the one given at build time (if any); see
   * {@link LoadBalancerListener} for the threading contract. No event is replayed: {@link
   * #servers()} and {@link #inPanic()} give the state now, and every change published after this
   * method returns is delivered (one published just before may be delivered too). The same
   * listener added twice gets each event twice.
   *
   * @return the handle that removes the listener again
   */
  public LoadBalancerListener.Registration addListener(LoadBalancerListener listener) {
    Objects.requireNonNull(listener, "listener");
    Registered entry = new Registered(listener);
    listeners.add(entry);
    return () -> listeners.remove(entry);
  }

  /** Whether the balancer is in panic mode now. */
  public boolean inPanic() {
    return snapshot.panic;
  }

  /**
   * Stops the server source and every health input. Later picks throw {@link
   * PickerClosedException}, an {@link IllegalStateException}: picking from a closed balancer is a
   * lifecycle error of the caller, not a lack of servers. Idempotent.
   */
  @Override
  public void close() {
    control.execute(
        () -> {
          if (closed) {
            return;
          }
          closed = true;
          releaseClock();
          if (openSelections != null) {
            openSelections.close();
          }
          if (source != null) {
            closeQuietly(source);
          }
          for (HealthInput input : inputs) {
            closeQuietly(input);
          }
          publish(snapshot.withPicker(ctx -> {
            throw new PickerClosedException(cluster);
          }));
        });
  }

  @Override
  public String toString() {
    return "LoadBalancer{" + cluster + ", " + algorithm.name() + ", " + endpoints.size() + " servers}";
  }

  // ------------------------------------------------------------------ for InputControl

  Ticker ticker() {
    return ticker;
  }

  RandomSource random() {
    return random;
  }

  /** The current endpoints, unmodifiable; read from any thread. */
  List<Endpoint> endpoints() {
    return endpoints;
  }

  /** The endpoint of server {@code id}, or null when it left or the balancer closed; control plane only. */
  LiveEndpoint endpoint(String id) {
    return closed ? null : byId.get(id);
  }

  /** Runs {@code action} on the control plane with the server's endpoint, unless it left or the balancer closed. */
  void onEndpoint(Server server, Consumer<LiveEndpoint> action) {
    control.execute(() -> {
      LiveEndpoint ep = endpoint(server.id());
      if (ep != null) {
        action.accept(ep);
      }
    });
  }

  /** Runs {@code task} inline when already on the control plane, else queues it. */
  void runOnControlPlane(Runnable task) {
    if (control.inControlPlane()) {
      task.run();
    } else {
      control.execute(task);
    }
  }

  /** Queues {@code task} on the control plane; runs it inline when no other thread is running it. */
  void execute(Runnable task) {
    control.execute(task);
  }

  // ------------------------------------------------------------------ control plane

  /**
   * Starts the health inputs, applies the initial list, then starts the source.
   *
   * @throws IllegalStateException naming the cluster and the input when an input fails to start
   *     (one that already serves another balancer, for example); the inputs started before it are
   *     closed, and neither it nor the later ones are touched, since they may serve another
   *     balancer
   */
  void start(List<Server> initial) {
    RuntimeException[] failure = new RuntimeException[1];
    control.execute(
        () -> {
          for (int i = 0; i < inputs.length; i++) {
            HealthInput input = inputs[i];
            try {
              input.start(new InputControl(this, signals, i));
            } catch (RuntimeException e) {
              closed = true;
              releaseClock();
              if (openSelections != null) {
                openSelections.close();
              }
              for (int j = 0; j < i; j++) {
                closeQuietly(inputs[j]);
              }
              failure[0] = new IllegalStateException(
                  cluster + ": health input " + input + " failed to start: " + e.getMessage(), e);
              return;
            }
          }
          if (initial != null) {
            applyServers(index(initial), Set.of());
          }
          markDirty();
        });
    if (failure[0] != null) {
      throw failure[0];
    }
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
              onServers(servers, List.of());
            }

            @Override
            public void onServers(List<Server> servers, Collection<Server> draining) {
              Map<String, Server> next = dedupe(servers);
              if (next != null) {
                Set<String> drainingIds = ServerSource.drainingIds(servers, draining);
                control.execute(() -> applyServers(next, drainingIds));
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

  /**
   * Applies a full list; {@code sourceDraining} replaces the drains the source pushed with its
   * previous list (the user's own drains stay).
   */
  private void applyServers(Map<String, Server> next, Set<String> sourceDraining) {
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
        // Without health inputs only a failure can matter (panic's spread rule): a success or a
        // cancel skips the call (1.2 ns of a 15.5 ns round-robin pick and report).
        ep = new LiveEndpoint(s, unknownPickable, statsTicker, ewmaDecayNanos, failurePenaltyNanos, latencyTracked,
            this::onOutcome, inputs.length == 0);
        added.add(s);
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
      applySourceDrains(sourceDraining);
      return;
    }
    byId = rebuilt;
    signals.retainOnly(byId.keySet());
    // A server that arrives draining is published draining: no snapshot offers it.
    Set<String> flipped = signals.setSourceDraining(sourceDraining);
    for (Server s : added) {
      byId.get(s.id()).publishHealth(signals.combine(s.id()));
    }
    for (String id : flipped) {
      LiveEndpoint ep = byId.get(id);
      if (ep != null && !added.contains(ep.server())) {
        updateHealth(ep);
      }
    }
    List<Endpoint> list = List.copyOf(byId.values());
    endpoints = list;
    // Publish the new picker before telling anyone: removed servers get no new picks first.
    rebuild();
    if (!added.isEmpty() || !removed.isEmpty()) {
      log.info("{}: servers changed: {} added, {} removed, {} now", cluster, added.size(), removed.size(), list.size());
      List<Server> a = List.copyOf(added);
      List<Server> r = List.copyOf(removed);
      notifyListeners(l -> l.onServersChanged(cluster, a, r));
    }
    for (HealthInput input : inputs) {
      try {
        input.onServersChanged(list);
      } catch (RuntimeException e) {
        log.error("{}: health input {} failed on a server list change", cluster, input, e);
      }
    }
  }

  private void applySourceDrains(Set<String> ids) {
    for (String id : signals.setSourceDraining(ids)) {
      LiveEndpoint ep = endpoint(id);
      if (ep != null) {
        updateHealth(ep);
      }
    }
  }

  private void setDraining(String id, boolean drain) {
    control.execute(
        () -> {
          LiveEndpoint ep = endpoint(id);
          if (ep != null && signals.setDraining(id, drain)) {
            updateHealth(ep);
          }
        });
  }

  /** Recombines an endpoint's signals, publishes the result, and rebuilds when picks change. */
  void updateHealth(LiveEndpoint ep) {
    HealthState before = ep.health();
    HealthState after = signals.combine(ep.server().id());
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
    // snapshot's counts explain empty picks and must not go stale. Any other change republishes
    // the snapshot's health, which views read.
    if (before.status() != after.status()
        || (before.weightMultiplier() != after.weightMultiplier() && algorithm.rebuildsOnWeightChange())) {
      markDirty();
    } else {
      markStale();
    }
    if (before.status() != after.status()) {
      log.info("{}: {} is now {}", cluster, ep.server().id(), after.reason());
    }
    Server server = ep.server();
    notifyListeners(l -> l.onHealthChanged(cluster, server, before, after));
  }

  /** Tells every input that an active check of {@code ep} completed; control plane only. */
  void activeCheckCompleted(LiveEndpoint ep, boolean passed) {
    for (HealthInput input : inputs) {
      try {
        input.onActiveCheck(ep, passed);
      } catch (RuntimeException e) {
        log.error("{}: health input {} failed on an active check result", cluster, input, e);
      }
    }
    Server server = ep.server();
    notifyListeners(l -> l.onActiveCheck(cluster, server, passed));
  }

  /** Queues one rebuild behind the current task, so that a burst of changes costs one. */
  void markDirty() {
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

  /**
   * Queues one republish of the servers' health with the same picker, for a change the picker
   * does not depend on (a weight read live at pick time, a detail). O(N), batched as rebuilds are.
   */
  private void markStale() {
    if (!dirty && !stale) {
      stale = true;
      control.execute(
          () -> {
            if (stale && !dirty && !closed) {
              stale = false;
              publish(snapshot.withHealthOf(List.copyOf(byId.values())));
            }
          });
    }
  }

  private void rebuild() {
    dirty = false;
    stale = false;
    if (closed) {
      return;
    }
    boolean wasPanic = snapshot.panic;
    Snapshot next = snapshots.build(List.copyOf(byId.values()), signals::gate, wasPanic);
    if (next.panic != wasPanic) {
      logPanic(next);
    }
    publish(next);
  }

  private void publish(Snapshot next) {
    snapshot = next;
    picker = next.picker;
  }

  /** Logs a transition into or out of panic once, and tells the listener. */
  private void logPanic(Snapshot next) {
    String detail;
    if (next.panic) {
      detail = next.panicDetail;
      log.warn("{}: entering {}; {}", cluster, detail,
          panicMode == PanicMode.SPREAD
              ? "spreading over " + next.offeredCount() + " of " + next.judgedCount
                  + " servers: not over those passive health ejected or whose last real call failed"
              : "failing fast");
    } else {
      detail = String.format(
          "panic over: %d of %d servers pickable, at or above the %d%% panic threshold",
          next.pickableCount, next.judgedCount, panicThresholdPercent);
      log.info("{}: {}", cluster, detail);
    }
    boolean active = next.panic;
    notifyListeners(l -> l.onPanic(cluster, active, detail));
  }

  private void onOutcome(LiveEndpoint ep, Outcome outcome, long latencyNanos) {
    if (outcome.isFailure() && snapshot.panic && !ep.health().pickable()) {
      // A server that panic spreads over has just failed a real call: the next snapshot leaves it
      // out (SnapshotBuilder's spread rule). Only servers picked through panic get here, and each
      // at most until that rebuild, so this adds no work while the cluster is healthy.
      control.execute(this::markDirty);
    }
    for (HealthInput input : inputs) {
      try {
        input.onOutcome(ep, outcome, latencyNanos);
      } catch (RuntimeException e) {
        log.error("{}: health input {} failed on an outcome", cluster, input, e);
      }
    }
  }

  /**
   * Delivers an event to every listener in a control-plane task of its own. Queued behind the
   * current task, it runs after any rebuild the change queued, so each listener sees the
   * published snapshot that holds the change; serialized, events keep their order. Control plane
   * only.
   */
  private void notifyListeners(Consumer<LoadBalancerListener> event) {
    if (listeners.isEmpty()) {
      return;
    }
    control.execute(() -> {
      for (Registered r : listeners) {
        try {
          event.accept(r.listener);
        } catch (RuntimeException e) {
          log.error("{}: listener {} failed", cluster, r.listener, e);
        }
      }
    });
  }

  /**
   * One registration of a listener: removed by identity, so that closing one of two
   * registrations of the same listener removes only that one.
   */
  private static final class Registered {
    final LoadBalancerListener listener;

    Registered(LoadBalancerListener listener) {
      this.listener = listener;
    }
  }

  /** Releases the coarse ticker, if any; once, when the balancer closes. */
  private void releaseClock() {
    if (statsTicker instanceof CoarseTicker) {
      CoarseClockTimer.release((CoarseTicker) statsTicker);
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
  static Map<String, Server> index(Collection<Server> servers) {
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
}
