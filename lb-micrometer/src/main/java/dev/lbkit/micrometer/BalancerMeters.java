package dev.lbkit.micrometer;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.api.Server;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one {@link LoadBalancer}: servers by state, slow start, panic, ejections and
 * re-admissions by reason, active-check results, and each server's circuit breaker state.
 *
 * <p><b>One consistent state.</b> Every gauge reads one {@link BalancerState}, computed from one
 * {@code servers()} call, that is from one published snapshot. It is recomputed by the first
 * gauge read after a listener event (events arrive after their snapshot is published), or when
 * it is older than {@link #MAX_AGE_NANOS} (breaker details change without an event). So the
 * gauges of one scrape show one state that existed, unless a change lands during the scrape.
 *
 * <p><b>No pick-path hook.</b> Everything comes from the balancer's listener (control plane) and
 * its snapshot; nothing is added to {@code pick()} or to reports.
 *
 * <p>Threading: gauges are read on the scraping thread; listener methods run on the balancer's
 * control plane. The state is one volatile reference.
 */
final class BalancerMeters implements MeterBinder, LoadBalancerListener, AutoCloseable {
  /** How long a computed state serves gauge reads without an event: one scrape's span. */
  static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final LoadBalancer lb;
  private final ServerTags tags;
  private final String cluster;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();

  private volatile MeterRegistry registry;
  private volatile BalancerState state;
  private volatile boolean stale = true;
  private volatile LoadBalancerListener.Registration registration;
  private MultiGauge breakerGauge;
  /** The server tags of the breaker rows registered; control plane (or bindTo) only. */
  private Set<String> breakerRows = Set.of();
  private Counter checksPassed;
  private Counter checksFailed;

  BalancerMeters(LoadBalancer lb, ServerTags tags) {
    this.lb = lb;
    this.tags = tags;
    this.cluster = lb.name();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    for (HealthState.Status status : HealthState.Status.values()) {
      meters.add(Gauge.builder("lbkit.lb.servers", this, m -> m.current().count(status))
          .description("Servers of the cluster by health state, from one published snapshot")
          .baseUnit("servers")
          .tags("cluster", cluster, "state", status.name().toLowerCase(Locale.ROOT))
          .strongReference(true)
          .register(registry));
    }
    meters.add(Gauge.builder("lbkit.lb.servers.slow.starting", this, m -> m.current().slowStarting())
        .description("Pickable servers whose weight slow start still ramps up (also counted as pickable)")
        .tags("cluster", cluster)
        .strongReference(true)
        .register(registry));
    meters.add(Gauge.builder("lbkit.lb.panic", this, m -> m.current().panic() ? 1 : 0)
        .description("1 while the cluster is in panic mode, else 0")
        .tags("cluster", cluster, "algorithm", lb.algorithm().name())
        .strongReference(true)
        .register(registry));
    checksPassed = activeChecks("passed");
    checksFailed = activeChecks("failed");
    breakerGauge = MultiGauge.builder("lbkit.lb.breaker.state")
        .description("Servers (per capped server tag) whose circuit breaker is in the state")
        .tag("cluster", cluster)
        .register(registry);
    stale = true;
    refreshBreakerRows();
    // Last: from here on the control plane calls this listener, and owns breakerRows.
    registration = lb.addListener(this);
  }

  private Counter activeChecks(String result) {
    Counter c = Counter.builder("lbkit.lb.active.checks")
        .description("Completed active health checks by result")
        .tags("cluster", cluster, "result", result)
        .register(registry);
    meters.add(c);
    return c;
  }

  /** The state the gauges show: recomputed after an event or when older than {@link #MAX_AGE_NANOS}. */
  BalancerState current() {
    BalancerState s = state;
    long now = registry.config().clock().monotonicTime();
    if (stale || s == null || now - s.computedAtNanos > MAX_AGE_NANOS) {
      // Cleared before reading: an event during the computation marks it stale again.
      stale = false;
      s = BalancerState.of(lb.servers(), lb.inPanic(), tags, now);
      state = s;
    }
    return s;
  }

  /** Registers one row per breaker state for each server tag that has a breaker; rows of others go. */
  private void refreshBreakerRows() {
    Set<String> servers = current().breakerServers();
    if (servers.equals(breakerRows)) {
      return;
    }
    breakerRows = Set.copyOf(servers);
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (String server : servers) {
      for (String st : BalancerState.BREAKER_STATES) {
        rows.add(MultiGauge.Row.of(Tags.of("server", server, "state", st), this,
            m -> m.current().breakers(server, st)));
      }
    }
    breakerGauge.register(rows, true);
  }

  @Override
  public void onServersChanged(String cluster, List<Server> added, List<Server> removed) {
    for (Server s : removed) {
      tags.release(s.id());
    }
    stale = true;
    refreshBreakerRows();
  }

  @Override
  public void onHealthChanged(String cluster, Server server, HealthState previous, HealthState current) {
    stale = true;
    if (!previous.ejected() && current.ejected()) {
      transition("lbkit.lb.ejections", "Ejections by passive health, by reason", current);
    } else if (previous.ejected() && !current.ejected()) {
      transition("lbkit.lb.readmissions", "Re-admissions of ejected servers, by the reason of their ejection",
          previous);
    }
    if (previous.status() != current.status()) {
      // A new breaker (or one that left) shows in the details with its first health change.
      refreshBreakerRows();
    }
  }

  private void transition(String name, String description, HealthState ejected) {
    Counter c = Counter.builder(name)
        .description(description)
        .tags("cluster", cluster, "reason", EjectionReasons.ofStateReason(ejected.reason()))
        .register(registry);
    if (!meters.contains(c)) {
      meters.add(c);
    }
    c.increment();
  }

  @Override
  public void onPanic(String cluster, boolean active, String detail) {
    stale = true;
  }

  @Override
  public void onActiveCheck(String cluster, Server server, boolean passed) {
    (passed ? checksPassed : checksFailed).increment();
  }

  /** Stops listening and removes this balancer's meters from the registry. Idempotent. */
  @Override
  public void close() {
    LoadBalancerListener.Registration r = registration;
    if (r != null) {
      r.close();
    }
    MeterRegistry reg = registry;
    if (reg != null) {
      if (breakerGauge != null) {
        breakerGauge.register(List.of(), true);
      }
      for (Meter m : meters) {
        reg.remove(m);
      }
      meters.clear();
    }
  }

  @Override
  public String toString() {
    return "lbkit metrics of " + cluster;
  }
}
