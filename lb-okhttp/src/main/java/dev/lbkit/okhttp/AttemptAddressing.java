package dev.lbkit.okhttp;

import dev.lbkit.api.Server;
import java.net.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import okhttp3.CertificatePinner;
import okhttp3.ConnectionPool;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.Interceptor.Chain;
import okhttp3.Request;

/**
 * Sends one attempt to its chosen server while the request keeps its logical host: the URL
 * rewrite, the per-server {@link Dns}, the TLS name, the certificate pins, the {@code Host}
 * header, the per-attempt timeouts and the cookie jar.
 *
 * <p><b>Why the URL keeps the logical host.</b> Each attempt rewrites only the port (to the
 * server's) and installs, through OkHttp 5's per-call chain overrides, a {@link ServerDns} that
 * resolves the logical host to the chosen server's address. Everything OkHttp derives from the
 * URL host therefore still says {@code user-service}: TLS SNI and hostname verification,
 * certificate pins, the cookie jar's domain and the Host header. Rewriting the host to an IP
 * address instead would break all of them (certificates do not name IPs, pins silently stop
 * matching, cookies land under the IP). A network interceptor could not do this at all: the
 * connection is chosen before network interceptors run. Connections stay per server because
 * {@link okhttp3.Address} equality includes the {@code Dns}, which differs per server.
 *
 * <p>With {@link LbConfig.TlsName#SERVER} the URL host becomes the server's TLS name instead;
 * the pins of the logical host are then copied to that name, and cookies are still stored and
 * loaded under the logical URL ({@link LogicalCookieJar}).
 *
 * <p><b>No silent retry.</b> OkHttp's own retry is turned off for balanced attempts ({@code
 * withRetryOnConnectionFailure(false)}): it would resend on the same server, possibly a POST on
 * a stale pooled connection. Retries are {@link BalancedCall}'s, on another server.
 *
 * <p>Threading: one per wrapped client, shared by every call; its caches are concurrent maps.
 */
final class AttemptAddressing {
  /** Interned per-server Dns instances; cleared past this size (servers churn slowly). */
  private static final int MAX_DNS_ENTRIES = 10_000;

  private final LbConfig config;
  private final Dns baseDns;
  private final Map<ServerDns, ServerDns> dnsCache = new ConcurrentHashMap<>();
  private final Map<String, CertificatePinner> pinnerCache = new ConcurrentHashMap<>();
  /**
   * A pool that keeps no idle connection: an attempt given it opens a fresh connection, closed
   * after its exchange. Used after a stale pooled connection ({@link StaleConnection}), when the
   * client's pool may hold more connections the server has closed.
   */
  private final ConnectionPool freshConnections = new ConnectionPool(0, 1, TimeUnit.SECONDS);

  AttemptAddressing(LbConfig config, Dns baseDns) {
    this.config = config;
    this.baseDns = baseDns;
  }

  /**
   * Addresses an attempt of {@code logical} (the caller's request) at {@code server}, with the
   * route's timeouts ({@code settings}) capped by {@code remainingNanos} of the call's deadline;
   * with {@code freshConnection}, on a new connection rather than a pooled one.
   *
   * @throws IllegalArgumentException when the server cannot be addressed, for example a
   *     {@code tls-name} that is not a host name: a configuration error
   */
  AttemptAddress address(Chain chain, Request logical, Server server, CallSettings settings, long remainingNanos,
      boolean freshConnection) {
    HttpUrl url = logical.url();
    String attemptHost = config.tlsName == LbConfig.TlsName.SERVER ? tlsNameOf(server) : url.host();
    AttemptState state = new AttemptState();
    Request request = rewrite(logical, server, attemptHost, state);
    // Direct connections: a forward proxy would resolve the logical host itself, bypassing the
    // per-server Dns. The base client's proxy still applies to pass-through calls.
    // Each override copies the chain: only those that change something are made.
    Chain c = chain.withDns(dnsFor(attemptHost, server));
    if (c.getRetryOnConnectionFailure()) {
      c = c.withRetryOnConnectionFailure(false);
    }
    if (c.getProxy() != Proxy.NO_PROXY) {
      c = c.withProxy(Proxy.NO_PROXY);
    }
    c = withTimeouts(c, settings, remainingNanos);
    if (freshConnection) {
      c = c.withConnectionPool(freshConnections);
    }
    if (!attemptHost.equals(url.host())) {
      c = c.withCertificatePinner(pinnerFor(chain.getCertificatePinner(), url.host(), attemptHost));
      c = c.withCookieJar(new LogicalCookieJar(chain.getCookieJar(), url));
    }
    return new AttemptAddress(request, c, state);
  }

  /** The attempt's request: the server's port (and TLS name), a Host header, the attempt's flag. */
  private Request rewrite(Request logical, Server server, String attemptHost, AttemptState state) {
    HttpUrl url = logical.url();
    if (!attemptHost.equals(url.host())) {
      url = url.newBuilder().host(attemptHost).port(server.port()).build();
    } else if (url.port() != server.port()) {
      url = url.newBuilder().port(server.port()).build();
    }
    Request.Builder b = logical.newBuilder().url(url).tag(AttemptState.class, state);
    if (logical.header("Host") == null) {
      b.header("Host", config.hostHeader == LbConfig.HostHeader.SERVER ? server.id() : hostHeader(logical.url()));
    }
    return b.build();
  }

  /** The interned Dns that resolves {@code attemptHost} to {@code server}: one per server, so its connections pool. */
  private ServerDns dnsFor(String attemptHost, Server server) {
    ServerDns dns = new ServerDns(attemptHost, server, baseDns);
    ServerDns interned = dnsCache.get(dns);
    if (interned == null) {
      if (dnsCache.size() >= MAX_DNS_ENTRIES) {
        dnsCache.clear();
      }
      dnsCache.putIfAbsent(dns, dns);
      interned = dnsCache.get(dns);
      if (interned == null) {
        interned = dns;
      }
    }
    return interned;
  }

  /** The attempt's connect, read and write timeouts: the route's or the client's, capped by the deadline. */
  private Chain withTimeouts(Chain c, CallSettings settings, long remainingNanos) {
    int connect = capMillis(configuredMillis(settings.connectTimeout, c.connectTimeoutMillis()), remainingNanos);
    int read = capMillis(configuredMillis(settings.readTimeout, c.readTimeoutMillis()), remainingNanos);
    int write = capMillis(configuredMillis(settings.writeTimeout, c.writeTimeoutMillis()), remainingNanos);
    if (connect != c.connectTimeoutMillis()) {
      c = c.withConnectTimeout(connect, TimeUnit.MILLISECONDS);
    }
    if (read != c.readTimeoutMillis()) {
      c = c.withReadTimeout(read, TimeUnit.MILLISECONDS);
    }
    if (write != c.writeTimeoutMillis()) {
      c = c.withWriteTimeout(write, TimeUnit.MILLISECONDS);
    }
    return c;
  }

  private static long configuredMillis(Duration configured, int clientMillis) {
    return configured == null ? clientMillis : configured.toMillis();
  }

  /** The configured timeout (0 = none) capped by the time left before the deadline. */
  private static int capMillis(long configuredMillis, long remainingNanos) {
    long remainingMillis = remainingNanos == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNanos + 999_999));
    long ms = configuredMillis <= 0 ? remainingMillis : Math.min(configuredMillis, remainingMillis);
    return ms >= Integer.MAX_VALUE ? 0 : (int) ms;
  }

  /**
   * The pinner with every pin of the logical host also applied to the server's TLS name:
   * OkHttp checks pins against the URL host and silently skips pins for other names.
   */
  private CertificatePinner pinnerFor(CertificatePinner base, String logicalHost, String tlsName) {
    return pinnerCache.computeIfAbsent(logicalHost + "\n" + tlsName + "\n" + System.identityHashCode(base), k -> {
      List<CertificatePinner.Pin> pins = base.findMatchingPins(logicalHost);
      if (pins.isEmpty()) {
        return base;
      }
      CertificatePinner.Builder b = new CertificatePinner.Builder();
      for (CertificatePinner.Pin p : base.getPins()) {
        b.add(p.getPattern(), p.getHashAlgorithm() + "/" + p.getHash().base64());
      }
      for (CertificatePinner.Pin p : pins) {
        b.add(tlsName, p.getHashAlgorithm() + "/" + p.getHash().base64());
      }
      return b.build();
    });
  }

  /** The server's TLS name: its {@link LbConfig#TLS_NAME_METADATA} metadata, else its host. */
  static String tlsNameOf(Server server) {
    String name = server.metadata().get(LbConfig.TLS_NAME_METADATA);
    return name != null ? name : server.host();
  }

  private static String hostHeader(HttpUrl url) {
    String host = url.host().indexOf(':') >= 0 ? "[" + url.host() + "]" : url.host();
    return url.port() == HttpUrl.defaultPort(url.scheme()) ? host : host + ":" + url.port();
  }
}
