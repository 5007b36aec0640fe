package dev.lbkit.micrometer;

import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.okhttp.LbAttempt;
import dev.lbkit.okhttp.LbEventListener;
import dev.lbkit.okhttp.LbException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The meters of a balanced OkHttp client, from its {@link LbEventListener} events.
 *
 * <ul>
 *   <li>{@code http.client.request.duration}: OpenTelemetry's HTTP client metric, one sample per
 *       call from its start to the response headers (or failure), retries and redirects
 *       included; tags {@code http.request.method}, {@code server.address} (the logical host),
 *       {@code server.port}, {@code http.response.status_code} and {@code error.type}.
 *   <li>{@code lbkit.client.attempt.duration}: per attempt, tags {@code cluster}, {@code server}
 *       (capped) and {@code outcome}.
 *   <li>{@code lbkit.lb.requests}: attempts by their reported outcome, per {@code cluster} and
 *       {@code algorithm}: every attempt completes exactly one pick, so this counts the
 *       balancer's reports without a hook on the pick path.
 *   <li>{@code lbkit.client.retries} by {@code reason}, {@code lbkit.client.retries.refused} by
 *       {@code reason} (the retry budget), {@code lbkit.client.rejections} by {@code reason}
 *       (rate limits among them: {@code rate_limited}), and {@code lbkit.lb.no.available.server}
 *       by the {@link NoAvailableServerException.Reason}.
 * </ul>
 *
 * <p><b>Fixed tag keys.</b> Prometheus rejects a meter name seen with two key sets, so a tag
 * that OpenTelemetry would leave out has a placeholder value: {@code http.response.status_code}
 * is {@code none} without a response, {@code error.type} is {@code none} without an error. A host
 * that no cluster balances (a pass-through call) is {@code server.address=other}: its name is a
 * request value.
 *
 * <p><b>Cost.</b> Meters are looked up in maps keyed by strings the events already hold, or in
 * arrays ({@link RequestDurationTimers}): a call with a response builds no string.
 *
 * <p>Threading: called from every calling thread at once; every map is concurrent.
 */
final class ClientMeters implements LbEventListener {
  static final String NONE = "none";
  private static final Outcome[] OUTCOMES = Outcome.values();

  private final MeterRegistry registry;
  private final Function<String, ServerTags> tagsOf;
  /** Clusters and logical hosts that routing named: the only values those tags take. */
  private final Set<String> clusters = ConcurrentHashMap.newKeySet();
  private final Set<String> logicalHosts = ConcurrentHashMap.newKeySet();
  private final RequestDurationTimers callTimers;
  private final Map<String, ClusterMeters> byCluster = new ConcurrentHashMap<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  ClientMeters(MeterRegistry registry, Function<String, ServerTags> tagsOf) {
    this.registry = registry;
    this.tagsOf = tagsOf;
    this.callTimers = new RequestDurationTimers(registry);
  }

  @Override
  public void routeDecided(Call call, Request request, String cluster, String reason) {
    if (cluster == null) {
      return;
    }
    if (!clusters.contains(cluster)) {
      clusters.add(cluster);
    }
    String host = request.url().host();
    if (!logicalHosts.contains(host)) {
      logicalHosts.add(host);
    }
  }

  @Override
  public void callEnded(Call call, Request request, Response response, Throwable failure, long durationNanos) {
    String host = request.url().host();
    String address = logicalHosts.contains(host) ? host : "other";
    int port = request.url().port();
    Timer t = failure != null ? callTimers.forFailure(request.method(), address, port, errorType(failure))
        : callTimers.forStatus(request.method(), address, port, response.code());
    t.record(durationNanos, TimeUnit.NANOSECONDS);
  }

  /** OpenTelemetry's {@code error.type}: lbkit's refusal reason, else the exception's class name. */
  static String errorType(Throwable failure) {
    if (failure instanceof LbException) {
      return "lbkit." + ((LbException) failure).reason().name().toLowerCase(Locale.ROOT);
    }
    return failure.getClass().getName();
  }

  @Override
  public void attemptEnded(LbAttempt attempt, Outcome outcome, int statusCode, Throwable failure, long latencyNanos) {
    ClusterMeters m = cluster(attempt.cluster(), attempt.algorithm());
    m.attemptTimer(attempt.server().id(), outcome).record(latencyNanos, TimeUnit.NANOSECONDS);
    m.requests[outcome.ordinal()].increment();
  }

  @Override
  public void retryScheduled(Call call, String cluster, int nextAttempt, long backoffNanos, String reason) {
    counter("lbkit.client.retries", "Retries started, by the reason of the retry", cluster(cluster),
        normalize(reason)).increment();
  }

  @Override
  public void retryRefused(Call call, String cluster, int attempt, RetryRefusal refusal) {
    counter("lbkit.client.retries.refused", "Retries that were due but refused (retry budget)", cluster(cluster),
        refusal.name().toLowerCase(Locale.ROOT)).increment();
  }

  @Override
  public void callRejected(Call call, LbException rejection) {
    String cluster = cluster(rejection.cluster());
    counter("lbkit.client.rejections", "Calls lbkit refused, by reason (rate_limited: a rate limit)", cluster,
        rejection.reason().name().toLowerCase(Locale.ROOT)).increment();
    if (rejection.getCause() instanceof NoAvailableServerException) {
      NoAvailableServerException e = (NoAvailableServerException) rejection.getCause();
      counter("lbkit.lb.no.available.server", "Picks that found no available server, by reason", cluster,
          e.reason().name().toLowerCase(Locale.ROOT)).increment();
    }
  }

  /** A cluster's name as a tag: only names routing produced; a request's host is {@code none}. */
  private String cluster(String name) {
    return name != null && clusters.contains(name) ? name : NONE;
  }

  private Counter counter(String name, String description, String cluster, String reason) {
    return counters.computeIfAbsent(name + '\n' + cluster + '\n' + reason, k -> Counter.builder(name)
        .description(description)
        .tags("cluster", cluster, "reason", reason)
        .register(registry));
  }

  /** A retry reason as a tag value: {@code status 503} becomes {@code status_503}. */
  static String normalize(String reason) {
    StringBuilder sb = new StringBuilder(reason.length());
    for (int i = 0; i < reason.length(); i++) {
      char c = Character.toLowerCase(reason.charAt(i));
      boolean word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (word) {
        sb.append(c);
      } else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '_') {
        sb.append('_');
      }
    }
    int end = sb.length();
    while (end > 0 && sb.charAt(end - 1) == '_') {
      end--;
    }
    return sb.substring(0, end);
  }

  private ClusterMeters cluster(String cluster, String algorithm) {
    ClusterMeters m = byCluster.get(cluster);
    return m != null ? m : byCluster.computeIfAbsent(cluster, c -> new ClusterMeters(c, algorithm));
  }

  /** One cluster's attempt meters: timers per server id and outcome, request counters per outcome. */
  private final class ClusterMeters {
    final String cluster;
    final ServerTags tags;
    final Counter[] requests = new Counter[OUTCOMES.length];
    final Map<String, Timer[]> timers = new ConcurrentHashMap<>();

    ClusterMeters(String cluster, String algorithm) {
      this.cluster = cluster;
      this.tags = tagsOf.apply(cluster);
      for (Outcome o : OUTCOMES) {
        requests[o.ordinal()] = Counter.builder("lbkit.lb.requests")
            .description("Picks reported back with their outcome, per cluster and algorithm")
            .tags("cluster", cluster, "algorithm", algorithm, "outcome", o.name().toLowerCase(Locale.ROOT))
            .register(registry);
      }
    }

    Timer attemptTimer(String serverId, Outcome outcome) {
      Timer[] byOutcome = timers.get(serverId);
      if (byOutcome == null) {
        byOutcome = timers.computeIfAbsent(serverId, id -> new Timer[OUTCOMES.length]);
      }
      Timer t = byOutcome[outcome.ordinal()];
      if (t == null) {
        // Registering is idempotent: two threads racing here get the same timer.
        t = Timer.builder("lbkit.client.attempt.duration")
            .description("Duration of one attempt to one server, to its response headers or failure")
            .tags("cluster", cluster, "server", tags.tag(serverId), "outcome", TagValues.outcome(outcome))
            .register(registry);
        byOutcome[outcome.ordinal()] = t;
      }
      return t;
    }
  }
}
