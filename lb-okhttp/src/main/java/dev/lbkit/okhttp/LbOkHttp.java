package dev.lbkit.okhttp;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.CookieJar;
import okhttp3.Dispatcher;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: wraps an {@link OkHttpClient} so that every call to a logical host (a cluster
 * name such as {@code http://user-service/api/users/1}) goes to a server chosen per request.
 *
 * <pre>{@code
 * OkHttpClient client = LbOkHttp.wrap(base, LbConfig.builder()
 *     .cluster("user-service", loadBalancer)
 *     .build());
 * client.newCall(new Request.Builder().url("http://user-service/api/users/1").build()).execute();
 * }</pre>
 *
 * <p>What the wrapped client changes, and why:
 * <ul>
 *   <li>an application interceptor, added last, balances, retries and follows redirects; the
 *       caller's own application interceptors see the logical request once;
 *   <li>a network interceptor records whether an attempt reached a server, on a reused
 *       connection, and whether its body write failed (POST retry safety, stale connections:
 *       see the README's "Known behaviours");
 *   <li>OkHttp's own redirect following is off: OkHttp would follow after application
 *       interceptors, against the URL of the attempt, so a relative redirect could not get a new
 *       pick. lbkit follows redirects itself (when the base client does), as described in
 *       {@link LbConfig};
 *   <li>a call timeout is set when the base client has none ({@link LbConfig#DEFAULT_CALL_TIMEOUT});
 *   <li>the async dispatcher allows {@link LbConfig#DEFAULT_MAX_REQUESTS_PER_HOST} calls per
 *       host: OkHttp counts the logical host, that is the whole cluster, as one host.
 * </ul>
 * Balanced attempts connect directly to the chosen server, bypassing any proxy of the base
 * client (a proxy would resolve the logical host itself); pass-through calls keep it.
 * Connection pool, cookie jar, cache, TLS settings (including client certificates for mTLS in
 * the base client's {@code SSLSocketFactory}) and certificate pinner are the base client's.
 *
 * <p>Each attempt's selection is completed exactly once: when the response body is fully read or
 * closed (with the latency to the response headers, so slow readers do not make a server look
 * slow), at once for an empty body or a failed, discarded or cancelled attempt.
 *
 * <p>Errors: every call lbkit itself refuses (no pickable server, strict mode, rate limit, retry
 * budget, deadline, a closed balancer) fails with an {@link LbException}, an {@code IOException} naming the cluster
 * and the reason. When no server of a cluster could be connected to, the final {@code
 * ConnectException} (or {@code NoRouteToHostException}, connect {@code SocketTimeoutException})
 * is re-raised with the same class, a message that starts with the cluster name and lists the
 * servers tried, and OkHttp's original as its cause.
 *
 * <p>Known limits: the HTTP cache keys on the attempt's URL, which carries the server's port, so
 * servers on different ports cache separately (servers sharing a port share entries); a body the
 * caller never closes keeps its selection in flight, as it keeps OkHttp's connection: its server
 * counts one more request in flight for ever, so least connections and power of two choices send
 * it less and less, outlier detection never hears the outcome, and a half-open breaker's probe
 * slot stays taken. {@code LoadBalancerBuilder.leakDetection} finds such bodies. A response
 * reached through redirects that lbkit followed links the redirects through {@code
 * priorResponse}, as OkHttp does, with their headers and empty bodies.
 */
public final class LbOkHttp {
  private static final Logger log = LoggerFactory.getLogger(LbOkHttp.class);

  private LbOkHttp() {}

  /**
   * Returns a client that balances calls as {@code config} says; {@code base} is unchanged.
   *
   * @throws IllegalArgumentException when {@code base} is already wrapped
   * @throws IllegalStateException when the OkHttp on the classpath is not OkHttp 5: the message
   *     names the version found, the version needed and the Maven fix (see the README, "OkHttp
   *     versions")
   */
  public static OkHttpClient wrap(OkHttpClient base, LbConfig config) {
    return wrap(base, config, OkHttpVersion.found(), OkHttpVersion.missingChainMethods());
  }

  /** {@link #wrap(OkHttpClient, LbConfig)} on an OkHttp of version {@code okHttpVersion} whose chain lacks {@code missingChainMethods}. */
  static OkHttpClient wrap(OkHttpClient base, LbConfig config, String okHttpVersion, List<String> missingChainMethods) {
    OkHttpVersion.require(okHttpVersion, missingChainMethods);
    for (Interceptor i : base.interceptors()) {
      if (i instanceof LbInterceptor) {
        throw new IllegalArgumentException("base client is already wrapped by LbOkHttp: " + i);
      }
    }
    warnOfCookieStickinessWithoutJar(base, config);
    Duration callTimeout = config.callTimeout != null ? config.callTimeout
        : base.callTimeoutMillis() != 0 ? Duration.ofMillis(base.callTimeoutMillis()) : LbConfig.DEFAULT_CALL_TIMEOUT;
    LbInterceptor interceptor = new LbInterceptor(config, base.dns(), base.followRedirects(),
        base.followSslRedirects(), TimeUnit.MILLISECONDS.toNanos(callTimeout.toMillis()));
    OkHttpClient.Builder b = base.newBuilder().followRedirects(false).addInterceptor(interceptor);
    b.networkInterceptors().add(0, new AttemptState.Marker());
    b.callTimeout(callTimeout);
    Dispatcher dispatcher = base.dispatcher();
    if (config.maxRequestsPerHost > 0 && dispatcher.getMaxRequestsPerHost() < config.maxRequestsPerHost) {
      Dispatcher sized = new Dispatcher(dispatcher.executorService());
      sized.setMaxRequests(Math.max(dispatcher.getMaxRequests(), config.maxRequestsPerHost));
      sized.setMaxRequestsPerHost(config.maxRequestsPerHost);
      b.dispatcher(sized);
      log.info("lbkit: async calls get their own dispatcher (max {} per host, {} total) sharing the base executor,"
          + " because OkHttp counts a whole cluster as one host", sized.getMaxRequestsPerHost(), sized.getMaxRequests());
    } else if (config.maxRequestsPerHost == 0 && dispatcher.getMaxRequestsPerHost() < LbConfig.DEFAULT_MAX_REQUESTS_PER_HOST) {
      log.warn("lbkit: the dispatcher allows {} async calls per host, and a host here is a whole cluster;"
          + " async throughput per cluster is capped at that", dispatcher.getMaxRequestsPerHost());
    }
    return b.build();
  }

  /**
   * Warns about each balancer-cookie policy on a base client without a cookie jar. lbkit does not
   * keep a jar of its own: one jar per client would make every request of a server-side client
   * (most clients) stick to one server, and a gateway rightly keeps no jar, passing lbkit's
   * {@code Set-Cookie} on to its own callers and their cookie back in.
   */
  private static void warnOfCookieStickinessWithoutJar(OkHttpClient base, LbConfig config) {
    if (base.cookieJar() != CookieJar.NO_COOKIES) {
      return;
    }
    for (Map.Entry<String, StickyPolicy> e : config.sticky.entrySet()) {
      if (e.getValue().kind() == StickyPolicy.Kind.BALANCER_COOKIE) {
        String cookie = e.getValue().name();
        log.warn("lbkit: cluster {} sticks with the balancer cookie {}, but the base client has no CookieJar: lbkit adds"
            + " Set-Cookie: {}=... to each response, and a request sticks only if it carries that cookie. Give the base"
            + " client a CookieJar, or copy the cookie yourself (a gateway passing it to browsers does).",
            config.displayName(e.getKey()), cookie, cookie);
      }
    }
  }

  /**
   * The counters of every cluster of a client built by {@link #wrap}, by cluster name as given to
   * {@link LbConfig.Builder#cluster}; looked up in any case.
   *
   * @throws IllegalArgumentException when {@code client} was not built by {@link #wrap}
   */
  public static Map<String, ClusterCounters> counters(OkHttpClient client) {
    return interceptor(client).counters();
  }

  static LbInterceptor interceptor(OkHttpClient client) {
    for (Interceptor i : client.interceptors()) {
      if (i instanceof LbInterceptor) {
        return (LbInterceptor) i;
      }
    }
    throw new IllegalArgumentException("client was not built by LbOkHttp.wrap");
  }
}
