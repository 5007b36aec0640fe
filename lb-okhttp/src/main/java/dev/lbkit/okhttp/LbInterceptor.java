package dev.lbkit.okhttp;

import dev.lbkit.api.Picker;
import dev.lbkit.api.Ticker;
import java.io.IOException;
import java.net.ProtocolException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Call;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application interceptor behind {@link LbOkHttp#wrap}: routes each request to a cluster
 * (or passes it through), takes its rate-limit permits, and follows redirects, as OkHttp's
 * {@code RetryAndFollowUpInterceptor} does. What happens to a request routed to a cluster is
 * {@link BalancedCall}'s.
 *
 * <p>Where each behaviour lives:
 * <ul>
 *   <li>routing rules and the logical hosts: here ({@link #route}); the rules themselves are
 *       {@link RouteRule}; each route carries its {@link CallSettings} (the config's retry policy
 *       and timeouts under the cluster's and the rule's {@link CallPolicy}), and the route of a
 *       call's first request may re-arm its call timeout ({@link CallDeadline#rearm});
 *   <li>the follow-up loop: here ({@link #intercept}); which redirects are followed, and how:
 *       {@link Redirects};
 *   <li>rate limits: {@link RateLimitGates};
 *   <li>the call's deadline: {@link CallDeadline};
 *   <li>picks, attempts, retries, the retry budget and stickiness: {@link BalancedCall}, with
 *       {@link AttemptAddressing} (where an attempt goes) and {@link StickyState} (cookies);
 *   <li>listener events: {@link ListenerDispatch}.
 * </ul>
 *
 * <p>Threading: one per wrapped client, shared by every call; it holds no per-call state. Each
 * call runs on its own thread (the caller's, or the dispatcher's under {@code enqueue()}).
 */
final class LbInterceptor implements Interceptor {
  private static final Logger log = LoggerFactory.getLogger(LbInterceptor.class);
  private static final int MAX_PORT_WARNINGS = 1_000;

  final LbConfig config;
  private final Ticker ticker;
  private final ListenerDispatch events;
  private final Map<String, ClusterState> clusters = new LinkedHashMap<>();
  /** Each cluster's route when its host names it; by cluster key. */
  private final Map<String, Route> hostRoutes = new HashMap<>();
  /** The routes of each rule, by target cluster key. */
  private final Map<RouteRule, Map<String, Route>> ruleRoutes = new IdentityHashMap<>();
  /** OkHttp's call timeout as the wrapped client sets it; a call with another set its own. */
  private final long clientCallTimeoutNanos;
  /** The hosts rules may apply to: every cluster's and every rule's own. */
  private final Set<String> logicalHosts = new LinkedHashSet<>();
  /** Cluster and port pairs warned about by {@link #warnOfPort}. */
  private final Set<String> portWarnings = ConcurrentHashMap.newKeySet();
  private final RateLimitGates rateLimits;
  private final Redirects redirects;
  private final BalancedCall.Factory calls;

  LbInterceptor(LbConfig config, Dns baseDns, boolean followRedirects, boolean followSslRedirects,
      long clientCallTimeoutNanos) {
    this.config = config;
    this.ticker = config.ticker;
    this.events = new ListenerDispatch(config.listener);
    this.clientCallTimeoutNanos = clientCallTimeoutNanos;
    for (Map.Entry<String, Picker> e : config.clusters.entrySet()) {
      ClusterState cs = ClusterState.of(e.getKey(), e.getValue(), config);
      clusters.put(e.getKey(), cs);
      hostRoutes.put(e.getKey(), new Route(cs, cs.settings, "host"));
      logicalHosts.add(e.getKey());
    }
    for (RouteRule rule : config.rules) {
      if (rule.host() != null) {
        logicalHosts.add(rule.host());
      }
      Map<String, Route> targets = new HashMap<>();
      for (String target : rule.clusters()) {
        ClusterState cs = clusters.get(LbConfig.clusterRef(target));
        targets.put(cs.key, new Route(cs, cs.settings.with(rule.callPolicy()), "rule " + rule.name()));
      }
      ruleRoutes.put(rule, targets);
    }
    this.rateLimits = RateLimitGates.of(config);
    this.redirects = new Redirects(followRedirects, followSslRedirects, config.allowHttpsToHttpRedirects);
    this.calls = new BalancedCall.Factory(config, baseDns, events);
  }

  /** The counters by cluster name as configured, looked up in any case. */
  Map<String, ClusterCounters> counters() {
    Map<String, ClusterCounters> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (ClusterState cs : clusters.values()) {
      m.put(cs.name, cs.counters.snapshot(cs.budget, cs.throttle));
    }
    return Collections.unmodifiableMap(m);
  }

  StickyState sticky(String cluster) {
    return clusters.get(LbConfig.clusterRef(cluster)).sticky;
  }

  List<RateLimitGate> gates() {
    return rateLimits.gates();
  }

  /**
   * The follow-up loop: routes the request, sends it, and while the response is a redirect to
   * follow, routes and sends the follow-up, up to {@link Redirects#MAX_FOLLOW_UPS} hops. Each hop
   * is routed anew (a relative redirect gets a new pick) and takes its own permits; the call's
   * deadline covers them all.
   */
  @Override
  public Response intercept(Chain chain) throws IOException {
    Call call = chain.call();
    CallDeadline deadline = CallDeadline.start(call, ticker);
    Request current = chain.request();
    Response prior = null;
    boolean priorBalanced = false;
    for (int followUps = 0; ; ) {
      Route route;
      CookieView cookies = new CookieView(current, chain.getCookieJar());
      try {
        route = route(call, current, cookies);
      } catch (IOException e) {
        closeQuietly(prior);
        throw e;
      }
      ClusterState cs = route == null ? null : route.cluster;
      if (prior == null && route != null) {
        deadline = callTimeoutOf(call, route, deadline);
      }
      if (prior != null) {
        if (cs != null && !priorBalanced) {
          // An outside server may not send the caller into a cluster: return its redirect as is.
          log.debug("not following redirect from {} into cluster {}", prior.request().url().host(), cs.name);
          return prior;
        }
        prior.close();
      }
      acquirePermits(call, current, cs, deadline);
      Response response = cs == null
          ? passThrough(chain, current, deadline)
          : calls.newCall(chain, current, cs, route.settings, cookies, deadline).execute();
      if (prior != null) {
        // As OkHttp's own follow-up: each response links the one that redirected to it, bodiless.
        response = response.newBuilder().priorResponse(Redirects.withoutBody(prior)).build();
      }
      Request followUp = redirects.followUp(response, current);
      if (followUp == null) {
        return response;
      }
      if (++followUps > Redirects.MAX_FOLLOW_UPS) {
        response.close();
        throw new ProtocolException("Too many follow-up requests: " + followUps);
      }
      prior = response;
      priorBalanced = cs != null;
      current = followUp;
    }
  }

  /**
   * The deadline of a call whose first request took {@code route}: when the route's policy sets a
   * call timeout and the call runs on the client's (not one set on the call itself), OkHttp's call
   * timer is re-armed to the route's; otherwise {@code deadline} as it is.
   */
  private CallDeadline callTimeoutOf(Call call, Route route, CallDeadline deadline) {
    Duration timeout = route.settings.callTimeout;
    if (timeout == null || call.timeout().timeoutNanos() != clientCallTimeoutNanos
        || timeout.toNanos() == clientCallTimeoutNanos) {
      return deadline;
    }
    return deadline.rearm(call, timeout);
  }

  /**
   * The route of {@code request}: the first rule that matches it, else the cluster its host
   * names, else null (pass-through), or a refusal in strict mode.
   */
  private Route route(Call call, Request request, CookieView cookies) throws LbException {
    String host = request.url().host();
    // Rules see only requests for logical hosts: a request for an outside host is never steered
    // into a cluster by what it carries.
    if (logicalHosts.contains(host)) {
      for (RouteRule rule : config.rules) {
        if (rule.matches(request, rule.needsCookies() ? cookies.all() : Map.of())) {
          String target = rule.choose(config.random);
          Route route = ruleRoutes.get(rule).get(LbConfig.clusterRef(target));
          warnOfPort(route.cluster, request.url());
          events.routeDecided(call, request, route.cluster.name, route.reason);
          return route;
        }
      }
    }
    Route route = hostRoutes.get(host);
    if (route != null) {
      warnOfPort(route.cluster, request.url());
      events.routeDecided(call, request, route.cluster.name, route.reason);
      return route;
    }
    if (config.strict) {
      throw events.callRejected(call, new LbException(LbException.Reason.UNKNOWN_HOST, host,
          host + ": no cluster or rule for this host (strict mode)", null));
    }
    events.routeDecided(call, request, null, "pass-through");
    return null;
  }

  /**
   * Warns, once per cluster and port, about a request whose URL names a port: a cluster's URL
   * names the service, and each attempt goes to the port of the server picked, so the port is
   * ignored. Silently ignoring it hid mistakes such as an admin port that never reached the admin
   * listener. Only requests with a port pay for the check; at most {@value #MAX_PORT_WARNINGS}
   * pairs are remembered.
   */
  private void warnOfPort(ClusterState cs, HttpUrl url) {
    int port = url.port();
    if (port != HttpUrl.defaultPort(url.scheme()) && portWarnings.size() < MAX_PORT_WARNINGS
        && portWarnings.add(cs.name + ":" + port)) {
      log.warn("{}: a request names port {} ({}://{}:{}/); lbkit ignores the port of a cluster's URL and sends each"
          + " attempt to the port of the server it picks. Logged once per cluster and port.",
          cs.name, port, url.scheme(), url.host(), port);
    }
  }

  /** Takes the request's rate-limit permits; a refusal is counted and reported. */
  private void acquirePermits(Call call, Request request, ClusterState cs, CallDeadline deadline) throws IOException {
    try {
      rateLimits.acquire(request, cs == null ? null : cs.key, deadline);
    } catch (LbException e) {
      if (cs != null) {
        cs.counters.rateLimited.increment();
      }
      throw events.callRejected(call, e);
    }
  }

  /** Sends a request no cluster balances as it is, with the base client's settings. */
  private Response passThrough(Chain chain, Request request, CallDeadline deadline) throws IOException {
    if (deadline.passed()) {
      throw events.callRejected(chain.call(), CallDeadline.exceeded(request.url().host()));
    }
    return chain.proceed(request);
  }

  private static void closeQuietly(Response r) {
    if (r != null) {
      r.close();
    }
  }

  @Override
  public String toString() {
    return "LbInterceptor" + clusters.keySet();
  }

  /** Where a request goes and with which call settings: a cluster, reached by its host or a rule. */
  private static final class Route {
    final ClusterState cluster;
    final CallSettings settings;
    /** How the request got here, for the route event: {@code host} or {@code rule <name>}. */
    final String reason;

    Route(ClusterState cluster, CallSettings settings, String reason) {
      this.cluster = cluster;
      this.settings = settings;
      this.reason = reason;
    }
  }
}
