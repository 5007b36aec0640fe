package dev.lbkit.discovery;

import dev.lbkit.api.Scheduler;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.api.Ticker;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Builds a DNS server source: the addresses of a name (A and AAAA records, one port), or the
 * targets of an SRV name (target, port, weight, priority). Obtained from {@link
 * ServerSources#dnsAddresses(String, int)} or {@link ServerSources#dnsSrv(String)}. Settings
 * are validated in {@link #build()}; messages name the field and the value. Not thread-safe.
 *
 * <pre>{@code
 * // Kubernetes headless service, one port:
 * ServerSource pods = ServerSources.dnsAddresses("users.prod.svc.cluster.local", 8080).build();
 * // Consul, ports and weights from SRV records:
 * ServerSource consul = ServerSources.dnsSrv("users.service.consul")
 *     .resolver(new InetSocketAddress("127.0.0.1", 8600))
 *     .build();
 * }</pre>
 *
 * <p>Names are absolute: search domains are not applied, so give the full name.
 */
public final class DnsSourceBuilder {

  /** Which address records an address source queries. */
  public enum AddressFamily {
    /** A records only. */
    IPV4,
    /** AAAA records only. */
    IPV6,
    /** Both A and AAAA records: every address of the name. */
    BOTH
  }

  /**
   * Default lower bound of the refresh interval, 5 s: Envoy's default DNS refresh rate. Records
   * with a shorter TTL (dnsmasq and CoreDNS often serve 0 to 5 s) would otherwise send a query
   * per second or more per cluster and client.
   */
  public static final Duration DEFAULT_MIN_TTL = Duration.ofSeconds(5);

  /**
   * Default upper bound of the refresh interval, 5 min: long TTLs (hours, as some zones use)
   * must not hide a removed instance for longer than a typical deploy step.
   */
  public static final Duration DEFAULT_MAX_TTL = Duration.ofMinutes(5);

  /**
   * Default retry delay after a failed query, 5 s: soon enough to pick up changes once the DNS
   * server is back, slow enough not to hammer a struggling server.
   */
  public static final Duration DEFAULT_FAILURE_RETRY = Duration.ofSeconds(5);

  /**
   * Default query timeout, 2 s: a local resolver answers in milliseconds; a query that takes
   * seconds has most likely been lost, and the next refresh retries it.
   */
  public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(2);

  /**
   * Whether an empty or NXDOMAIN answer after a non-empty one is ignored by default: yes, since
   * a registry that briefly forgets a service (a restart, a split brain) should not empty the
   * cluster. Envoy's and gRPC's DNS resolvers also keep serving the last result on errors.
   */
  public static final boolean DEFAULT_KEEP_LAST_ON_EMPTY = true;

  /**
   * Whether SRV targets are resolved to addresses by default: no, because most clients (and
   * Kubernetes pod names) resolve target names themselves, and a name keeps TLS host checks
   * working.
   */
  public static final boolean DEFAULT_RESOLVE_TARGETS = false;

  /** Highest length of a host name in text form, without the final dot (RFC 1035, 2.3.4). */
  static final int MAX_NAME_LENGTH = 253;

  /** Highest length of one label (RFC 1035, 2.3.4). */
  static final int MAX_LABEL_LENGTH = 63;

  final boolean srv;
  final String name;
  final int port;
  AddressFamily family = AddressFamily.BOTH;
  InetSocketAddress resolver;
  Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
  Duration minTtl = DEFAULT_MIN_TTL;
  Duration maxTtl = DEFAULT_MAX_TTL;
  Duration failureRetry = DEFAULT_FAILURE_RETRY;
  boolean keepLastOnEmpty = DEFAULT_KEEP_LAST_ON_EMPTY;
  boolean resolveTargets = DEFAULT_RESOLVE_TARGETS;
  int weight = Server.DEFAULT_WEIGHT;
  int priority = Server.DEFAULT_PRIORITY;
  String zone;
  String region;
  Scheduler scheduler;
  Ticker ticker = Ticker.SYSTEM;

  DnsSourceBuilder(boolean srv, String name, int port) {
    this.srv = srv;
    this.name = name;
    this.port = port;
  }

  /** Which address records to query; address sources only. Default {@link AddressFamily#BOTH}. */
  public DnsSourceBuilder addressFamily(AddressFamily family) {
    this.family = Objects.requireNonNull(family, "addressFamily");
    return this;
  }

  /**
   * The DNS server to ask, for example {@code 127.0.0.1:8600} for a Consul agent; default the
   * first name server of the system configuration ({@code /etc/resolv.conf}).
   */
  public DnsSourceBuilder resolver(InetSocketAddress address) {
    this.resolver = Objects.requireNonNull(address, "resolver");
    return this;
  }

  /** How long to wait for one answer; positive. Default {@link #DEFAULT_QUERY_TIMEOUT}. */
  public DnsSourceBuilder queryTimeout(Duration timeout) {
    this.queryTimeout = Objects.requireNonNull(timeout, "queryTimeout");
    return this;
  }

  /**
   * Bounds of the refresh interval: the next query is sent after the answer's smallest TTL,
   * raised to {@code min} and lowered to {@code max}. Defaults {@link #DEFAULT_MIN_TTL} and
   * {@link #DEFAULT_MAX_TTL}.
   */
  public DnsSourceBuilder ttlBounds(Duration min, Duration max) {
    this.minTtl = Objects.requireNonNull(min, "minTtl");
    this.maxTtl = Objects.requireNonNull(max, "maxTtl");
    return this;
  }

  /** Delay before the next query after a failed one; positive. Default {@link #DEFAULT_FAILURE_RETRY}. */
  public DnsSourceBuilder failureRetry(Duration delay) {
    this.failureRetry = Objects.requireNonNull(delay, "failureRetry");
    return this;
  }

  /**
   * Whether an empty or NXDOMAIN answer is ignored when the last list was not empty; default
   * {@value #DEFAULT_KEEP_LAST_ON_EMPTY}. Set false to let such an answer empty the cluster.
   */
  public DnsSourceBuilder keepLastOnEmpty(boolean keep) {
    this.keepLastOnEmpty = keep;
    return this;
  }

  /**
   * SRV sources only: whether targets are resolved to addresses here, one server per address,
   * instead of being handed on as host names. Turn it on when the balancer's client cannot
   * resolve the targets itself, for example Consul node names asked of a Consul agent on port
   * 8600. The address families follow {@link #addressFamily}. Default {@value #DEFAULT_RESOLVE_TARGETS}: the
   * client resolves the target names.
   */
  public DnsSourceBuilder resolveTargets(boolean resolve) {
    this.resolveTargets = resolve;
    return this;
  }

  /** Weight of every server of an address source; SRV sources take the records' weights. */
  public DnsSourceBuilder weight(int weight) {
    this.weight = weight;
    return this;
  }

  /** Priority tier of every server of an address source; SRV sources take the records' priorities. */
  public DnsSourceBuilder priority(int priority) {
    this.priority = priority;
    return this;
  }

  /**
   * Zone of every server from this name. DNS carries no zones; a deployment that publishes one
   * name per zone combines them with {@link ServerSources#merge}.
   */
  public DnsSourceBuilder zone(String zone) {
    this.zone = Objects.requireNonNull(zone, "zone");
    return this;
  }

  /** Region of every server from this name. */
  public DnsSourceBuilder region(String region) {
    this.region = Objects.requireNonNull(region, "region");
    return this;
  }

  /**
   * Where queries run; default a daemon thread owned by the source, shut down when it closes.
   * A query blocks that thread for up to the query timeout, so give a scheduler whose threads
   * may block, and never the one that health mechanisms ({@code lb-health}) run their timers on:
   * a slow DNS server would hold up checks and re-admissions. Tests pass a virtual-time fake
   * ({@code dev.lbkit.testing.FakeScheduler}). The caller owns a scheduler given here: closing
   * the source cancels its next refresh but does not shut the scheduler down.
   */
  public DnsSourceBuilder scheduler(Scheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    return this;
  }

  /** The clock, used to report the age of the last good list; default {@link Ticker#SYSTEM}. */
  public DnsSourceBuilder ticker(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return this;
  }

  /**
   * Validates the settings and builds the source. The first query is sent on the scheduler
   * after {@link ServerSource#start}.
   *
   * @throws IllegalArgumentException naming the field and the value of a bad setting
   */
  public ServerSource build() {
    checkName(name, srv);
    if (!srv && (port < 1 || port > 65535)) {
      throw new IllegalArgumentException("port must be in [1, 65535], was " + port);
    }
    if (!srv && resolveTargets) {
      throw new IllegalArgumentException("resolveTargets applies to SRV sources only, was set for addresses of " + name);
    }
    checkPositive("queryTimeout", queryTimeout);
    checkPositive("failureRetry", failureRetry);
    checkPositive("minTtl", minTtl);
    checkPositive("maxTtl", maxTtl);
    if (minTtl.compareTo(maxTtl) > 0) {
      throw new IllegalArgumentException(
          "minTtl must not exceed maxTtl, was minTtl " + minTtl + " > maxTtl " + maxTtl);
    }
    if (weight < Server.MIN_WEIGHT || weight > Server.MAX_WEIGHT) {
      throw new IllegalArgumentException(
          "weight must be in [" + Server.MIN_WEIGHT + ", " + Server.MAX_WEIGHT + "], was " + weight);
    }
    if (priority < 0 || priority > Server.MAX_PRIORITY) {
      throw new IllegalArgumentException(
          "priority must be in [0, " + Server.MAX_PRIORITY + "], was " + priority);
    }
    if (zone != null && zone.isBlank()) {
      throw new IllegalArgumentException("zone must not be empty, was '" + zone + "'");
    }
    if (region != null && region.isBlank()) {
      throw new IllegalArgumentException("region must not be empty, was '" + region + "'");
    }
    if (resolver != null && (resolver.getPort() < 1 || resolver.isUnresolved())) {
      throw new IllegalArgumentException(
          "resolver must be a resolved address with a port, was " + resolver);
    }
    return new DnsServerSource(this);
  }

  private static void checkPositive(String field, Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(field + " must be positive, was " + d);
    }
  }

  /**
   * Rejects names that are not host names: labels of letters, digits and inner hyphens (RFC
   * 1123), at most 63 characters each and 253 in all, an optional final dot. SRV names may
   * also contain underscores ({@code _http._tcp.users}, RFC 2782).
   */
  static void checkName(String name, boolean srv) {
    if (name == null) {
      throw new IllegalArgumentException("name must be a valid host name, was null");
    }
    String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    String why = null;
    if (n.isEmpty()) {
      why = "it is empty";
    } else if (n.length() > MAX_NAME_LENGTH) {
      why = "it is longer than " + MAX_NAME_LENGTH + " characters";
    } else {
      int labelStart = 0;
      for (int i = 0; i <= n.length() && why == null; i++) {
        if (i == n.length() || n.charAt(i) == '.') {
          int len = i - labelStart;
          if (len == 0) {
            why = "empty label at index " + labelStart;
          } else if (len > MAX_LABEL_LENGTH) {
            why = "label at index " + labelStart + " is longer than " + MAX_LABEL_LENGTH + " characters";
          } else if (n.charAt(labelStart) == '-' || n.charAt(i - 1) == '-') {
            why = "label at index " + labelStart + " starts or ends with '-'";
          }
          labelStart = i + 1;
          continue;
        }
        char c = n.charAt(i);
        boolean ok =
            (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || (srv && c == '_');
        if (!ok) {
          why = "character '" + c + "' at index " + i + " is not allowed"
              + (c == '_' ? " outside SRV names" : "");
        }
      }
    }
    if (why != null) {
      throw new IllegalArgumentException("name must be a valid host name, was '" + name + "' (" + why + ")");
    }
  }
}
