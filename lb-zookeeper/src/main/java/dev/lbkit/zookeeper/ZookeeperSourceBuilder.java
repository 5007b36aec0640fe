package dev.lbkit.zookeeper;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import java.time.Duration;
import java.util.Objects;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.common.PathUtils;

/**
 * Builds a source that watches the instances of one service registered in ZooKeeper in the
 * layout of Curator's service discovery. Obtained from {@link ZookeeperSources#discovery}.
 * Settings are validated in {@link #build()}. Not thread-safe.
 *
 * <pre>{@code
 * ServerSource orders = ZookeeperSources.discovery("orders")
 *     .connectString("zk1:2181,zk2:2181,zk3:2181")
 *     .basePath("/services")
 *     .build();
 * }</pre>
 *
 * <h2>What is read</h2>
 *
 * <p>Every child of {@code <basePath>/<serviceName>} is one instance (its name is the instance
 * id), and holds the JSON that Curator's {@code JsonInstanceSerializer} writes for a {@code
 * ServiceInstance}. A Spring Cloud Zookeeper registration looks like this:
 *
 * <pre>{@code
 * {"name":"orders","id":"6f1c...","address":"10.0.0.7","port":8080,"sslPort":null,
 *  "payload":{"@class":"org.springframework.cloud.zookeeper.discovery.ZookeeperInstance",
 *             "id":"orders-1","name":"orders",
 *             "metadata":{"zone":"us-east-1a","weight":"3","version":"2.4.1"}},
 *  "registrationTimeUTC":1767225600000,"serviceType":"DYNAMIC","uriSpec":null,"enabled":true}
 * }</pre>
 *
 * <table>
 *   <caption>From an instance's JSON to a {@link Server}</caption>
 *   <tr><th>field</th><th>becomes</th></tr>
 *   <tr><td>{@code address}</td><td>the host; required</td></tr>
 *   <tr><td>{@code port}, else {@code sslPort}</td><td>the port; one of them is required</td></tr>
 *   <tr><td>{@code payload.metadata} (an object)</td><td>the metadata, every entry, numbers and
 *       booleans as their JSON text</td></tr>
 *   <tr><td>{@code payload.metadata.weight}</td><td>the weight, an integer in [{@value
 *       Server#MIN_WEIGHT}, {@value Server#MAX_WEIGHT}]; absent means {@value
 *       Server#DEFAULT_WEIGHT}</td></tr>
 *   <tr><td>{@code payload.metadata.zone}</td><td>the zone</td></tr>
 *   <tr><td>{@code enabled: false}</td><td>draining: the server stays in the cluster but gets no
 *       new requests while its in-flight calls finish (Curator's "do not use this instance";
 *       only Curator's non-compatible serializer writes the field)</td></tr>
 * </table>
 *
 * <p>The metadata map is where Spring Cloud Zookeeper ({@code ZookeeperInstance}) and Dubbo put
 * an instance's properties, and {@code zone} is the key Spring Cloud's zone-preference filter
 * reads; a registrant using Curator directly gives its payload a {@code metadata} object. Every
 * other field of the payload is ignored, so the payload's class need not be on the classpath.
 * An instance that does not parse, or whose host, port or weight is invalid, is left out and
 * logged once per version of its znode; the other instances are unaffected. Two instances with
 * the same {@code host:port} count once (the one with the smallest id).
 */
public final class ZookeeperSourceBuilder {

  /**
   * Default parent of the service znodes, {@code /services}: what Spring Cloud Zookeeper uses
   * ({@code spring.cloud.zookeeper.discovery.root}) and what Curator's examples use.
   */
  public static final String DEFAULT_BASE_PATH = "/services";

  /**
   * Default session timeout, 60 s: Curator's default. The registry's view of this client
   * matters little (it registers nothing), but the timeout bounds how long a partition lasts
   * before Curator reports the session {@code LOST}.
   */
  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(60);

  /** Default connection timeout, 15 s: Curator's default. */
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(15);

  /**
   * Whether an empty service after a non-empty one is ignored by default: yes, as for the DNS
   * and file sources, because a registry that briefly loses every instance (a deploy that
   * re-registers, a wiped ensemble) must not empty the cluster.
   */
  public static final boolean DEFAULT_KEEP_LAST_ON_EMPTY = true;

  final String serviceName;
  String connectString;
  CuratorFramework client;
  String basePath = DEFAULT_BASE_PATH;
  Duration sessionTimeout;
  Duration connectionTimeout;
  boolean keepLastOnEmpty = DEFAULT_KEEP_LAST_ON_EMPTY;

  ZookeeperSourceBuilder(String serviceName) {
    this.serviceName = serviceName;
  }

  /**
   * The ZooKeeper ensemble, {@code host:port[,host:port...][/chroot]}. The source then owns a
   * Curator client of its own, started in {@link ServerSource#start} and closed with the source.
   * Set either this or {@link #client}.
   */
  public ZookeeperSourceBuilder connectString(String connectString) {
    this.connectString = connectString;
    return this;
  }

  /**
   * A Curator client the application already has (Spring Cloud Zookeeper's, say). The caller
   * owns it: it must be started, and closing the source closes only the source's cache and
   * listener, never the client. Set either this or {@link #connectString}; the timeouts belong
   * to the client then and cannot be set here.
   */
  public ZookeeperSourceBuilder client(CuratorFramework client) {
    this.client = Objects.requireNonNull(client, "client");
    return this;
  }

  /** The parent of the service znodes; default {@link #DEFAULT_BASE_PATH}. */
  public ZookeeperSourceBuilder basePath(String basePath) {
    this.basePath = basePath;
    return this;
  }

  /** The session timeout of the source's own client; default {@link #DEFAULT_SESSION_TIMEOUT}. */
  public ZookeeperSourceBuilder sessionTimeout(Duration sessionTimeout) {
    this.sessionTimeout = Objects.requireNonNull(sessionTimeout, "sessionTimeout");
    return this;
  }

  /**
   * How long the source's own client waits for a connection before an operation fails; default
   * {@link #DEFAULT_CONNECTION_TIMEOUT}.
   */
  public ZookeeperSourceBuilder connectionTimeout(Duration connectionTimeout) {
    this.connectionTimeout = Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    return this;
  }

  /**
   * Whether an empty service is ignored when the last list was not empty; default {@value
   * #DEFAULT_KEEP_LAST_ON_EMPTY}. Set false to let the last deregistration empty the cluster.
   */
  public ZookeeperSourceBuilder keepLastOnEmpty(boolean keep) {
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
    checkServiceName();
    checkBasePath();
    if (client != null) {
      if (connectString != null) {
        throw new IllegalArgumentException(
            "connectString must not be set when a client is given, was '" + connectString + "'");
      }
      if (sessionTimeout != null) {
        throw new IllegalArgumentException(
            "sessionTimeout must not be set when a client is given (the client has its own), was " + sessionTimeout);
      }
      if (connectionTimeout != null) {
        throw new IllegalArgumentException(
            "connectionTimeout must not be set when a client is given (the client has its own), was " + connectionTimeout);
      }
      return new ZookeeperServerSource(this, null);
    }
    if (connectString == null) {
      throw new IllegalArgumentException("connectString must be set (or a client given), was null");
    }
    String problem = ConnectStrings.problem(connectString);
    if (problem != null) {
      throw new IllegalArgumentException(
          "connectString must be host:port[,host:port...][/chroot], was '" + connectString + "' (" + problem + ")");
    }
    Duration session = sessionTimeout == null ? DEFAULT_SESSION_TIMEOUT : sessionTimeout;
    Duration connection = connectionTimeout == null ? DEFAULT_CONNECTION_TIMEOUT : connectionTimeout;
    checkMillis("sessionTimeout", session);
    checkMillis("connectionTimeout", connection);
    return new ZookeeperServerSource(
        this, new OwnedClient(connectString, (int) session.toMillis(), (int) connection.toMillis(), threadPrefix()));
  }

  /** The name prefix of every thread the source owns: {@code lbkit-zookeeper-<serviceName>}. */
  String threadPrefix() {
    return "lbkit-zookeeper-" + serviceName;
  }

  private void checkServiceName() {
    if (serviceName == null || serviceName.isEmpty()) {
      throw new IllegalArgumentException(
          "serviceName must not be empty, was " + (serviceName == null ? "null" : "''"));
    }
    String why = null;
    if (serviceName.indexOf('/') >= 0) {
      why = "it contains '/'";
    } else {
      try {
        PathUtils.validatePath("/" + serviceName);
      } catch (IllegalArgumentException e) {
        why = e.getMessage();
      }
    }
    if (why != null) {
      throw new IllegalArgumentException(
          "serviceName must be a single znode name, was '" + serviceName + "' (" + why + ")");
    }
  }

  private void checkBasePath() {
    String why = null;
    if (basePath == null) {
      why = "null";
    } else if (basePath.length() > 1 && basePath.endsWith("/")) {
      why = "it ends with '/'";
    } else {
      try {
        PathUtils.validatePath(basePath);
      } catch (IllegalArgumentException e) {
        why = e.getMessage();
      }
    }
    if (why != null) {
      throw new IllegalArgumentException(
          "basePath must be an absolute znode path such as " + DEFAULT_BASE_PATH + ", was "
              + (basePath == null ? "null" : "'" + basePath + "' (" + why + ")"));
    }
  }

  private static void checkMillis(String field, Duration value) {
    if (value.isNegative() || value.compareTo(Duration.ofMillis(1)) < 0
        || value.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException(
          field + " must be in [1 ms, " + Integer.MAX_VALUE + " ms], was " + value);
    }
  }
}
