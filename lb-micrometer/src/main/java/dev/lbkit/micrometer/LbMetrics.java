package dev.lbkit.micrometer;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.okhttp.LbEventListener;
import dev.lbkit.okhttp.LbOkHttp;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.observation.ObservationRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;

/**
 * Micrometer metrics and Observation tracing for lbkit: one call each to wire a balancer and a
 * balanced OkHttp client.
 *
 * <pre>{@code
 * LbMetrics metrics = LbMetrics.builder(meterRegistry)
 *     .observationRegistry(observationRegistry)   // optional: tracing
 *     .build();
 * metrics.bind(loadBalancer);                      // the balancer's gauges and counters
 * OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
 *     .listener(metrics.listener())                // the client's timers, counters, observations
 *     .cluster("user-service", loadBalancer)
 *     .build());
 * metrics.bind(client);                            // optional: retry budget and throttle levels
 * }</pre>
 *
 * <p>Names follow OpenTelemetry's HTTP client conventions where they fit ({@code
 * http.client.request.duration}); lbkit's own meters live under {@code lbkit.}. Which meters
 * exist and what their tags mean: {@link BalancerMeters}, {@link ClientMeters}, {@link
 * CallObservations} (package-private; the README lists them too).
 *
 * <p><b>Cardinality.</b> The {@code server} tag takes a server's address for the first {@link
 * Builder#maxTaggedServers} servers of each cluster and {@code other} for the rest; tag keys never
 * change. No tag takes a request value (path, query, sticky key); a host that no cluster balances
 * is {@code other}. Shared by the balancer's and the client's meters of one instance, so a server
 * that leaves a bound balancer frees its slot for the client's meters too.
 *
 * <p>Without this module on the classpath nothing changes: lb-okhttp and lb-algorithms hold no
 * Micrometer type, and their listeners default to no-ops. Thread-safe.
 */
public final class LbMetrics {

  /**
   * Default cap on per-server tag values per cluster, 10: Palantir dialogue's default. Ten series
   * per meter and cluster show the usual cluster server by server, and keep a 1,000-server
   * cluster at eleven.
   */
  public static final int DEFAULT_MAX_TAGGED_SERVERS = 10;

  private final MeterRegistry meterRegistry;
  private final ObservationRegistry observationRegistry;
  private final int maxTaggedServers;
  private final Map<String, ServerTags> serverTags = new ConcurrentHashMap<>();

  private LbMetrics(Builder b) {
    this.meterRegistry = b.meterRegistry;
    this.observationRegistry = b.observationRegistry;
    this.maxTaggedServers = b.maxTaggedServers;
  }

  /** Metrics into {@code registry}, with the defaults and no tracing. */
  public static LbMetrics of(MeterRegistry registry) {
    return builder(registry).build();
  }

  /** A builder of metrics into {@code registry}. */
  public static Builder builder(MeterRegistry registry) {
    return new Builder(registry);
  }

  /**
   * Binds {@code lb}'s meters to {@code registry} with the defaults: the one-call form of {@code
   * LbMetrics.of(registry).bind(lb)}.
   */
  public static LoadBalancerListener.Registration bind(LoadBalancer lb, MeterRegistry registry) {
    return of(registry).bind(lb);
  }

  /**
   * Binds a balancer's meters to this instance's registry and starts listening to it; see {@link
   * #binder}.
   *
   * @return the handle that stops listening and removes the balancer's meters
   */
  public LoadBalancerListener.Registration bind(LoadBalancer lb) {
    BalancerMeters meters = new BalancerMeters(Objects.requireNonNull(lb, "lb"), tagsOf(lb.name()));
    meters.bindTo(meterRegistry);
    return meters::close;
  }

  /**
   * The meters of {@code lb} as a {@link MeterBinder}, for frameworks that bind binders
   * themselves (Spring Boot binds every {@code MeterBinder} bean):
   * <ul>
   *   <li>{@code lbkit.lb.servers} (gauge; {@code cluster}, {@code state}: pickable, draining,
   *       ejected, unhealthy, unknown), from one published snapshot;
   *   <li>{@code lbkit.lb.servers.slow.starting} (gauge; {@code cluster});
   *   <li>{@code lbkit.lb.panic} (gauge, 1 or 0; {@code cluster}, {@code algorithm});
   *   <li>{@code lbkit.lb.ejections} and {@code lbkit.lb.readmissions} (counters; {@code cluster},
   *       {@code reason}: consecutive_failures, failure_percentage, success_rate,
   *       circuit_breaker, other);
   *   <li>{@code lbkit.lb.active.checks} (counter; {@code cluster}, {@code result});
   *   <li>{@code lbkit.lb.breaker.state} (gauge; {@code cluster}, {@code server} capped, {@code
   *       state}: closed, open, half-open): servers under that tag whose breaker is in the state.
   * </ul>
   */
  public MeterBinder binder(LoadBalancer lb) {
    return new BalancerMeters(Objects.requireNonNull(lb, "lb"), tagsOf(lb.name()));
  }

  /**
   * Binds gauges of a wrapped client's retry levels, per cluster: {@code
   * lbkit.client.retry.budget.remaining}, {@code lbkit.client.retry.throttle.allowing} (1 or 0),
   * {@code lbkit.client.retry.throttle.window.attempts} and {@code ...successes}. Read from
   * {@link LbOkHttp#counters} at scrape time.
   *
   * @param client a client returned by {@link LbOkHttp#wrap}
   * @return the handle that removes the gauges
   * @throws IllegalArgumentException when {@code client} was not wrapped by lbkit
   */
  public LoadBalancerListener.Registration bind(OkHttpClient client) {
    RetryLevelMeters meters = new RetryLevelMeters(Objects.requireNonNull(client, "client"));
    meters.bindTo(meterRegistry);
    return meters::close;
  }

  /**
   * The listener to pass to {@code LbConfig.Builder.listener}: the client's meters and, with an
   * observation registry, one observation per call and per attempt. One listener may serve
   * several clients.
   */
  public LbEventListener listener() {
    LbEventListener meters = new ClientMeters(meterRegistry, this::tagsOf);
    return observationRegistry == null ? meters
        : LbEventListener.of(meters, new CallObservations(observationRegistry, this::tagsOf));
  }

  /**
   * Only the observations, without meters: one per call and one per attempt into {@code
   * registry}, with the default server cap.
   */
  public static LbEventListener observations(ObservationRegistry registry) {
    Objects.requireNonNull(registry, "observationRegistry");
    Map<String, ServerTags> tags = new ConcurrentHashMap<>();
    return new CallObservations(registry,
        cluster -> tags.computeIfAbsent(cluster, c -> new ServerTags(DEFAULT_MAX_TAGGED_SERVERS)));
  }

  private ServerTags tagsOf(String cluster) {
    ServerTags t = serverTags.get(cluster);
    return t != null ? t : serverTags.computeIfAbsent(cluster, c -> new ServerTags(maxTaggedServers));
  }

  @Override
  public String toString() {
    return "LbMetrics{maxTaggedServers=" + maxTaggedServers + ", tracing=" + (observationRegistry != null) + "}";
  }

  /** Builds an {@link LbMetrics}; {@link #build()} validates. */
  public static final class Builder {
    private final MeterRegistry meterRegistry;
    private ObservationRegistry observationRegistry;
    private int maxTaggedServers = DEFAULT_MAX_TAGGED_SERVERS;

    private Builder(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
    }

    /** Also records one observation per call and per attempt into {@code registry} (tracing). */
    public Builder observationRegistry(ObservationRegistry registry) {
      this.observationRegistry = Objects.requireNonNull(registry, "observationRegistry");
      return this;
    }

    /**
     * How many servers per cluster get their own {@code server} tag value; the rest share {@code
     * other}. 0 turns per-server values off. Default {@link #DEFAULT_MAX_TAGGED_SERVERS}.
     */
    public Builder maxTaggedServers(int max) {
      this.maxTaggedServers = max;
      return this;
    }

    /**
     * Builds it.
     *
     * @throws IllegalArgumentException when {@code maxTaggedServers} is outside [0, 1000]
     */
    public LbMetrics build() {
      if (maxTaggedServers < 0 || maxTaggedServers > 1000) {
        throw new IllegalArgumentException("maxTaggedServers must be in [0, 1000], was " + maxTaggedServers);
      }
      return new LbMetrics(this);
    }
  }
}
