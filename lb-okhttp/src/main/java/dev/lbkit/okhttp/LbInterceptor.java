package dev.lbkit.okhttp;

import dev.lbkit.api.Picker;
import dev.lbkit.api.Ticker;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.Collections;
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
 *       {@link RouteRule};
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
  /** The hosts rules may apply to: every cluster's and every rule's own. */
  private final Set<String> logicalHosts = new LinkedHashSet<>();
  /** Cluster and port pairs warned about by {@link #warnOfPort}. */
  private final Set<String> portWarnings = ConcurrentHashMap.newKeySet();
  private final RateLimitGates rateLimits;
  private final Redirects redirects;
  private final BalancedCall.Factory calls;

  LbInterceptor(LbConfig config, Dns baseDns, boolean followRedirects, boolean followSslRedirects) {
    this.config = config;
    this.ticker = config.ticker;
    this.events = new ListenerDispatch(config.listener);
    for (Map.Entry<String, Picker> e : config.clusters.entrySet()) {
      clusters.put(e.getKey(), ClusterState.of(e.getKey(), e.getValue(), config));
      logicalHosts.add(e.getKey());
    }
    for (RouteRule rule : config.rules) {
      if (rule.host() != null) {
        logicalHosts.add(rule.host());
      }
    }
    this.rateLimits = RateLimitGates.of(config);
    this.redirects = new Redirects(followRedirects, followSslRedirects, config.allowHttpsToHttpRedirects);
    this.calls = new BalancedCall.Factory(config, baseDns, events);
  }

  /** The counters by cluster name as configured, looked up in any case. */
  Map<String, ClusterCounters> counters() {
    Map<String, ClusterCounters> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (ClusterState cs : clusters.values()) {
      m.put(cs.name, cs.counters.snapshot());
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
      ClusterState cs;
      CookieView cookies = new CookieView(current, chain.getCookieJar());
      try {
        cs = route(call, current, cookies);
      } catch (IOException e) {
        closeQuietly(prior);
        throw e;
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
          : calls.newCall(chain, current, cs, cookies, deadline).execute();
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
   * The cluster of {@code request}: the first rule that matches it, else the cluster its host
   * names, else null (pass-through), or a refusal in strict mode.
   */
  private ClusterState route(Call call, Request request, CookieView cookies) throws LbException {
    String host = request.url().host();
    // Rules see only requests for logical hosts: a request for an outside host is never steered
    // into a cluster by what it carries.
    if (logicalHosts.contains(host)) {
      for (RouteRule rule : config.rules) {
        if (rule.matches(request, rule.needsCookies() ? cookies.all() : Map.of())) {
          String target = rule.choose(config.random);
          ClusterState cs = clusters.get(LbConfig.clusterRef(target));
          warnOfPort(cs, request.url());
          events.routeDecided(call, request, cs.name, "rule " + rule.name());
          return cs;
        }
      }
    }
    ClusterState cs = clusters.get(host);
    if (cs != null) {
      warnOfPort(cs, request.url());
      events.routeDecided(call, request, cs.name, "host");
      return cs;
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
}
