package dev.lbkit.health;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Server;
import dev.lbkit.api.Ticker;
import dev.lbkit.testing.FakeEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * A stand-in for the runtime's control handle: records every signal, serializes tasks the way
 * the runtime does (inline unless another thread is draining), and applies a simple ejection
 * cap ({@link #maxEjected}, plus never the last pickable server).
 */
final class FakeHealthControl implements HealthControl {

  final Ticker ticker;
  final Map<String, ActiveHealth> active = new ConcurrentHashMap<>();
  final Map<String, String> activeReason = new ConcurrentHashMap<>();
  final Map<String, String> ejected = new ConcurrentHashMap<>();
  final Map<String, Double> multipliers = new ConcurrentHashMap<>();
  final Map<String, AdmissionGate> gates = new ConcurrentHashMap<>();
  final Map<String, Map<String, String>> details = new ConcurrentHashMap<>();
  final List<String> events = new CopyOnWriteArrayList<>();
  final Map<String, Boolean> draining = new ConcurrentHashMap<>();
  volatile int maxEjected = Integer.MAX_VALUE;
  /** Thrown once by the next {@link #eject} call, then cleared. */
  volatile RuntimeException ejectFailure;
  /**
   * When true, {@link #uneject} is applied as the runtime applies it: through {@link #execute},
   * so that a call from a control-plane task takes effect only after that task (and whatever
   * was queued before) has run. By default it is applied at once.
   */
  volatile boolean queueUneject;
  /** Runs at the start of every {@link #uneject} call; a test's way into that moment. */
  volatile Runnable duringUneject;
  private volatile List<Endpoint> endpoints = List.of();
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicReference<Thread> drainer = new AtomicReference<>();

  FakeHealthControl(Ticker ticker) {
    this.ticker = ticker;
  }

  /** Sets the server list and tells the input, on the control plane. */
  List<Endpoint> servers(HealthInput input, Server... servers) {
    List<Endpoint> list = new ArrayList<>();
    for (Server s : servers) {
      list.add(endpoint(s));
    }
    endpoints = List.copyOf(list);
    execute(() -> input.onServersChanged(endpoints));
    return endpoints;
  }

  /** An endpoint of {@code s} whose health this control computes on every read. */
  FakeEndpoint endpoint(Server s) {
    return new FakeEndpoint(s).healthFrom(() -> health(s));
  }

  HealthState health(Server s) {
    HealthState h = HealthState.initial(true)
        .withActive(active.getOrDefault(s.id(), ActiveHealth.UNKNOWN), activeReason.get(s.id()))
        .withEjection(ejected.get(s.id()))
        .withDraining(draining.getOrDefault(s.id(), false));
    return h.withWeightMultiplier(multipliers.getOrDefault(s.id(), 1.0));
  }

  String detail(Server s, String key) {
    return details.getOrDefault(s.id(), Map.of()).get(key);
  }

  /** Waits, bounded, for a condition that another thread makes true. */
  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  @Override
  public String cluster() {
    return "test-cluster";
  }

  @Override
  public Ticker ticker() {
    return ticker;
  }

  @Override
  public RandomSource random() {
    return RandomSource.seeded(1);
  }

  @Override
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  @Override
  public void setActive(Server server, ActiveHealth verdict, String reason) {
    active.put(server.id(), verdict);
    if (reason == null) {
      activeReason.remove(server.id());
    } else {
      activeReason.put(server.id(), reason);
    }
    events.add("active " + server.id() + " " + verdict + ": " + reason);
  }

  @Override
  public boolean eject(Server server, String reason) {
    RuntimeException failure = ejectFailure;
    if (failure != null) {
      ejectFailure = null;
      throw failure;
    }
    if (ejected.containsKey(server.id())) {
      return true;
    }
    long pickable = endpoints.stream().filter(e -> e.health().pickable()).count();
    boolean candidatePickable = health(server).pickable();
    if (ejected.size() + 1 > maxEjected || (candidatePickable && pickable <= 1)) {
      events.add("refused " + server.id() + ": " + reason);
      return false;
    }
    ejected.put(server.id(), reason);
    events.add("eject " + server.id() + ": " + reason);
    return true;
  }

  @Override
  public void uneject(Server server) {
    Runnable hook = duringUneject;
    if (hook != null) {
      hook.run();
    }
    if (queueUneject) {
      execute(() -> applyUneject(server));
    } else {
      applyUneject(server);
    }
  }

  private void applyUneject(Server server) {
    if (ejected.remove(server.id()) != null) {
      events.add("uneject " + server.id());
    }
  }

  @Override
  public void setWeightMultiplier(Server server, double multiplier) {
    if (!(multiplier > 0 && multiplier <= 1)) {
      throw new IllegalArgumentException("multiplier must be in (0, 1], was " + multiplier);
    }
    multipliers.put(server.id(), multiplier);
  }

  @Override
  public void setAdmissionGate(Server server, AdmissionGate gate) {
    if (gate == null) {
      gates.remove(server.id());
    } else {
      gates.put(server.id(), gate);
    }
  }

  @Override
  public void setDetail(Server server, String key, String value) {
    Map<String, String> m = details.computeIfAbsent(server.id(), k -> new ConcurrentHashMap<>());
    if (value == null) {
      m.remove(key);
    } else {
      m.put(key, value);
    }
  }

  @Override
  public void execute(Runnable task) {
    queue.add(task);
    do {
      if (!drainer.compareAndSet(null, Thread.currentThread())) {
        return;
      }
      try {
        Runnable r;
        while ((r = queue.poll()) != null) {
          r.run();
        }
      } finally {
        drainer.set(null);
      }
    } while (!queue.isEmpty());
  }
}
