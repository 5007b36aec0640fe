package dev.lbkit.micrometer;

import dev.lbkit.okhttp.ClusterCounters;
import dev.lbkit.okhttp.LbOkHttp;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;
import okhttp3.OkHttpClient;

/**
 * The current levels of a wrapped client's retry budget and retry throttle, per cluster, as
 * gauges read from {@link LbOkHttp#counters}:
 * <ul>
 *   <li>{@code lbkit.client.retry.budget.remaining}: retries the budget allows now;
 *   <li>{@code lbkit.client.retry.throttle.allowing}: 1 while the throttle allows retries, else 0;
 *   <li>{@code lbkit.client.retry.throttle.window.attempts} and {@code ...window.successes}: the
 *       throttle's window, whose success share decides.
 * </ul>
 *
 * <p>The gauges of one scrape read one snapshot of the counters, taken by the first gauge read
 * and reused for {@link BalancerMeters#MAX_AGE_NANOS}: a snapshot costs a few reads and two short
 * locks per cluster.
 *
 * <p>Threading: gauges are read on the scraping thread; the snapshot is one volatile reference.
 */
final class RetryLevelMeters implements MeterBinder, AutoCloseable {
  private final OkHttpClient client;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private volatile MeterRegistry registry;
  private volatile Map<String, ClusterCounters> counters;
  private volatile long readAtNanos;

  RetryLevelMeters(OkHttpClient client) {
    this.client = client;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    for (String cluster : LbOkHttp.counters(client).keySet()) {
      gauge("lbkit.client.retry.budget.remaining", "Retries the cluster's retry budget allows now", cluster,
          c -> c.budgetRemaining());
      gauge("lbkit.client.retry.throttle.allowing", "1 while the cluster's retry throttle allows retries, else 0",
          cluster, c -> c.throttleAllowsRetries() ? 1 : 0);
      gauge("lbkit.client.retry.throttle.window.attempts", "Outcomes in the retry throttle's window", cluster,
          c -> c.throttleWindowAttempts());
      gauge("lbkit.client.retry.throttle.window.successes", "Successes in the retry throttle's window", cluster,
          c -> c.throttleWindowSuccesses());
    }
  }

  private void gauge(String name, String description, String cluster, ToDoubleFunction<ClusterCounters> level) {
    meters.add(Gauge.builder(name, this, m -> {
      ClusterCounters c = m.current().get(cluster);
      return c == null ? Double.NaN : level.applyAsDouble(c);
    }).description(description).tags("cluster", cluster).strongReference(true).register(registry));
  }

  private Map<String, ClusterCounters> current() {
    long now = registry.config().clock().monotonicTime();
    Map<String, ClusterCounters> c = counters;
    if (c == null || now - readAtNanos > BalancerMeters.MAX_AGE_NANOS) {
      c = LbOkHttp.counters(client);
      counters = c;
      readAtNanos = now;
    }
    return c;
  }

  /** Removes the gauges. */
  @Override
  public void close() {
    MeterRegistry reg = registry;
    if (reg != null) {
      for (Meter m : meters) {
        reg.remove(m);
      }
      meters.clear();
    }
  }
}
