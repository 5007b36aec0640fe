package dev.lbkit.etcd;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import io.etcd.jetcd.Client;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Builds a source that watches the keys under one prefix in etcd, each of whose values describes
 * one server. Obtained from {@link EtcdSources#prefix}. Settings are validated in {@link
 * #build()}. Not thread-safe.
 *
 * <pre>{@code
 * ServerSource orders = EtcdSources.prefix("/services/orders/")
 *     .endpoints("http://etcd-1:2379", "http://etcd-2:2379")
 *     .build();
 * }</pre>
 *
 * <h2>The value format</h2>
 *
 * <p>Each key under the prefix (its name is free, for example {@code /services/orders/10.0.0.7:8080}
 * or an instance id) holds one JSON object, UTF-8:
 *
 * <pre>{@code
 * {"host": "10.0.0.7", "port": 8080, "weight": 3, "zone": "us-east-1a",
 *  "metadata": {"version": "2.4.1"}, "state": "serving"}
 * }</pre>
 *
 * <table>
 *   <caption>From a value to a {@link Server}</caption>
 *   <tr><th>field</th><th>meaning</th></tr>
 *   <tr><td>{@code host}</td><td>required: an IP literal or a DNS name</td></tr>
 *   <tr><td>{@code port}</td><td>required: an integer in [1, 65535]</td></tr>
 *   <tr><td>{@code weight}</td><td>an integer in [{@value Server#MIN_WEIGHT}, {@value
 *       Server#MAX_WEIGHT}]; absent means {@value Server#DEFAULT_WEIGHT}</td></tr>
 *   <tr><td>{@code zone}</td><td>a string</td></tr>
 *   <tr><td>{@code metadata}</td><td>an object whose values are strings</td></tr>
 *   <tr><td>{@code state}</td><td>{@code "serving"} (the default) or {@code "draining"}: a
 *       draining server stays in the cluster but gets no new requests while its in-flight calls
 *       finish (see {@link ServerSource.Listener#onServers(List, java.util.Collection)})</td></tr>
 * </table>
 *
 * <p>A value without {@code host} but with {@code Addr} is read as etcd's own {@code endpoints}
 * manager writes it for gRPC's etcd resolver (Go, {@code go.etcd.io/etcd/client/v3/naming}):
 * {@code {"Addr": "10.0.0.7:8080", "Metadata": {...}}}, giving the host and port, and the
 * metadata when it is an object (other JSON values as their text); such a server has the default
 * weight and no zone.
 *
 * <p>Other fields are ignored, so registrants may add their own. A value that does not parse or
 * has a bad field is left out and logged once per value; the other servers are unaffected. Two
 * keys with one {@code host:port} count once (the key that sorts first). Register with a lease
 * (as etcd's own {@code endpoints} manager and gRPC's etcd resolvers do) so that a registrant's
 * keys disappear when it stops renewing its lease.
 */
public final class EtcdSourceBuilder {

  /**
   * Default timeout of the read of the whole prefix, 5 s: etcd answers in milliseconds; a read
   * that takes seconds is failing and is better retried.
   */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Default delay before the first retry of a failed read, 1 s; it doubles on each failure up
   * to {@link #MAX_RETRY_DELAY}, so a fleet of clients backs off from an etcd that is down.
   */
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(1);

  /** The longest delay between two reads while etcd is unreachable, 30 s. */
  public static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);

  /**
   * Whether an empty prefix after a non-empty list is ignored by default: yes, as for the other
   * sources, because a prefix emptied at once (a wiped cluster, a mass lease expiry during a
   * partition of the registrants) must not empty the cluster.
   */
  public static final boolean DEFAULT_KEEP_LAST_ON_EMPTY = true;

  final String prefix;
  List<String> endpoints;
  Client client;
  Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
  Duration retryDelay = DEFAULT_RETRY_DELAY;
  boolean keepLastOnEmpty = DEFAULT_KEEP_LAST_ON_EMPTY;

  EtcdSourceBuilder(String prefix) {
    this.prefix = prefix;
  }

  /**
   * The etcd cluster's client URLs, such as {@code http://etcd-1:2379}. The source then owns a
   * jetcd client of its own, created in {@link ServerSource#start} and closed with the source.
   * Set either this or {@link #client}.
   */
  public EtcdSourceBuilder endpoints(String... endpoints) {
    this.endpoints = endpoints == null ? null : Arrays.asList(endpoints.clone());
    return this;
  }

  /**
   * A jetcd client the application already has. The caller owns it: closing the source cancels
   * only the source's watch. Set either this or {@link #endpoints}.
   */
  public EtcdSourceBuilder client(Client client) {
    this.client = Objects.requireNonNull(client, "client");
    return this;
  }

  /** Timeout of one read of the prefix; default {@link #DEFAULT_REQUEST_TIMEOUT}. */
  public EtcdSourceBuilder requestTimeout(Duration timeout) {
    this.requestTimeout = Objects.requireNonNull(timeout, "requestTimeout");
    return this;
  }

  /**
   * Delay before the first retry of a failed read, doubled up to {@link #MAX_RETRY_DELAY};
   * default {@link #DEFAULT_RETRY_DELAY}.
   */
  public EtcdSourceBuilder retryDelay(Duration delay) {
    this.retryDelay = Objects.requireNonNull(delay, "retryDelay");
    return this;
  }

  /**
   * Whether an empty prefix is ignored when the last list was not empty; default {@value
   * #DEFAULT_KEEP_LAST_ON_EMPTY}.
   */
  public EtcdSourceBuilder keepLastOnEmpty(boolean keep) {
    this.keepLastOnEmpty = keep;
    return this;
  }

  /**
   * Validates the settings and builds the source. Nothing connects until {@link
   * ServerSource#start}.
   *
   * @throws IllegalArgumentException naming the field and the value of a bad setting
   */
  public ServerSource build() {
    if (prefix == null || prefix.isEmpty()) {
      throw new IllegalArgumentException("prefix must not be empty, was " + (prefix == null ? "null" : "''"));
    }
    if (!prefix.endsWith("/")) {
      throw new IllegalArgumentException("prefix must end with '/' (so that /services/orders/ does not also"
          + " match /services/orders-canary/), was '" + prefix + "'");
    }
    if (client != null && endpoints != null) {
      throw new IllegalArgumentException("endpoints must not be set when a client is given, was " + endpoints);
    }
    if (client == null) {
      if (endpoints == null || endpoints.isEmpty()) {
        throw new IllegalArgumentException("endpoints must be set (or a client given), was " + endpoints);
      }
      for (int i = 0; i < endpoints.size(); i++) {
        String problem = endpointProblem(endpoints.get(i));
        if (problem != null) {
          throw new IllegalArgumentException("endpoints[" + i + "] must be http://host:port or https://host:port, was "
              + (endpoints.get(i) == null ? "null" : "'" + endpoints.get(i) + "'") + " (" + problem + ")");
        }
      }
    }
    checkPositive("requestTimeout", requestTimeout);
    checkPositive("retryDelay", retryDelay);
    if (retryDelay.compareTo(MAX_RETRY_DELAY) > 0) {
      throw new IllegalArgumentException("retryDelay must be at most " + MAX_RETRY_DELAY + ", was " + retryDelay);
    }
    return new EtcdServerSource(this);
  }

  /** The name prefix of every thread the source itself owns. */
  String threadName() {
    return "lbkit-etcd-" + prefix;
  }

  private static String endpointProblem(String endpoint) {
    if (endpoint == null) {
      return "null";
    }
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      return e.getMessage();
    }
    if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
      return "the scheme must be http or https";
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return "no host";
    }
    if (uri.getPort() < 1 || uri.getPort() > 65535) {
      return "the port must be given, in [1, 65535]";
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")
        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      return "no path, query or fragment";
    }
    return null;
  }

  private static void checkPositive(String field, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
  }
}
