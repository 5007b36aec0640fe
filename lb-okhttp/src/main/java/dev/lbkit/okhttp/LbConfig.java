package dev.lbkit.okhttp;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Picker;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Ticker;
import dev.lbkit.api.internal.HostSyntax;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import okhttp3.HttpUrl;

/**
 * What {@link LbOkHttp#wrap} balances and how: the clusters (logical host → {@link Picker},
 * usually a {@link LoadBalancer} with any algorithm and health inputs), routing rules, stickiness,
 * rate limits, retries, timeouts and TLS naming. Retries and timeouts are the config's by default;
 * a cluster ({@link Builder#callPolicy}) or a rule ({@link RouteRule.Builder#callPolicy}) may
 * override them ({@link CallPolicy}). Immutable; build it with {@link #builder()}.
 *
 * <pre>{@code
 * LbConfig config = LbConfig.builder()
 *     .cluster("user-service", LoadBalancer.builder("user-service")
 *         .algorithm(Algorithms.roundRobin()).servers(servers).build())
 *     .retryPolicy(RetryPolicy.DEFAULT)
 *     .callTimeout(Duration.ofSeconds(5))
 *     .build();
 * }</pre>
 */
public final class LbConfig {

  /**
   * Call deadline used when neither this config nor the base client sets one, 30 s. OkHttp's own
   * default is no deadline at all, so a black-holed server (accepting, never answering, with
   * long read timeouts) could hang a call forever.
   */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Per-host limit given to the async dispatcher, 64: OkHttp's default total ({@code
   * maxRequests}). OkHttp counts a logical host, which stands for a whole cluster, as one host,
   * so its default of 5 would cap a cluster's async traffic at 5 calls.
   */
  public static final int DEFAULT_MAX_REQUESTS_PER_HOST = 64;

  /** Server metadata key naming the TLS name of a server for {@link TlsName#SERVER}. */
  public static final String TLS_NAME_METADATA = "tls-name";

  /** Which name the TLS handshake (SNI, hostname verification, pins) uses. */
  public enum TlsName {
    /** The logical host of the URL, for example {@code user-service} (the default). */
    LOGICAL,
    /**
     * Each server's own name: its {@code tls-name} metadata ({@link #TLS_NAME_METADATA}), else
     * its host. The pins configured for the logical host are applied to that name too.
     */
    SERVER
  }

  /** What the {@code Host} header of a balanced request says (unless the request sets one). */
  public enum HostHeader {
    /** The logical host and port of the URL as the caller wrote it (the default). */
    LOGICAL,
    /** The chosen server's host and port. */
    SERVER
  }

  /** The clusters by key ({@link #clusterKey}): what requests are matched against. */
  final Map<String, Picker> clusters;
  /** Each cluster's name as given to {@link Builder#cluster}, by key. */
  private final Map<String, String> names;
  /** The clusters by name as given, looked up in any case. */
  private final Map<String, Picker> byName;
  final Map<String, StickyPolicy> sticky;
  /** Each cluster's call policy, by key. */
  final Map<String, CallPolicy> callPolicies;
  final List<RouteRule> rules;
  final List<RateLimit> rateLimits;
  final RetryPolicy retryPolicy;
  final boolean strict;
  final Duration callTimeout;
  final Duration connectTimeout;
  final Duration readTimeout;
  final Duration writeTimeout;
  final TlsName tlsName;
  final HostHeader hostHeader;
  final boolean allowHttpsToHttpRedirects;
  final int maxRequestsPerHost;
  final LbEventListener listener;
  final OutcomeClassifier classifier;
  final Ticker ticker;
  final RandomSource random;
  final Sleeper sleeper;
  final Executor cacheExecutor;
  final byte[] stickySecret;

  private LbConfig(Builder b) {
    this.clusters = Collections.unmodifiableMap(new LinkedHashMap<>(b.clusters));
    this.names = Map.copyOf(b.names);
    Map<String, Picker> named = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, Picker> e : clusters.entrySet()) {
      named.put(names.get(e.getKey()), e.getValue());
    }
    this.byName = Collections.unmodifiableMap(named);
    this.sticky = Collections.unmodifiableMap(new LinkedHashMap<>(b.sticky));
    this.callPolicies = Map.copyOf(b.callPolicies);
    this.rules = List.copyOf(b.rules);
    this.rateLimits = List.copyOf(b.rateLimits);
    this.retryPolicy = b.retryPolicy;
    this.strict = b.strict;
    this.callTimeout = b.callTimeout;
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.writeTimeout = b.writeTimeout;
    this.tlsName = b.tlsName;
    this.hostHeader = b.hostHeader;
    this.allowHttpsToHttpRedirects = b.allowHttpsToHttpRedirects;
    this.maxRequestsPerHost = b.maxRequestsPerHost;
    this.listener = b.listener;
    this.classifier = b.classifier;
    this.ticker = b.ticker;
    this.random = b.random;
    this.sleeper = b.sleeper;
    this.cacheExecutor = b.cacheExecutor;
    this.stickySecret = b.stickySecret != null ? b.stickySecret.clone() : newSecret();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The clusters by name, each spelled as given to {@link Builder#cluster}: the spelling lbkit
   * uses everywhere it names the cluster (counters, events, logs, {@link LbException}). Like a DNS
   * name, a cluster's name is case-insensitive: the map is sorted and looked up ignoring case, and
   * a request is balanced by the cluster whose name equals its URL's host in any case.
   */
  public Map<String, Picker> clusters() {
    return byName;
  }

  /** The routing rules in evaluation order. */
  public List<RouteRule> rules() {
    return rules;
  }

  /** The retry policy. */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /**
   * The key of cluster {@code host}: the DNS name lower-cased, as {@link HttpUrl#host()} reports
   * it for a URL naming {@code host}, so that a request matches it in any case by equality. Null
   * when {@code host} is not a DNS name ({@link HostSyntax}), which no request's host can equal:
   * {@code users service/x}, {@code users:8080}.
   */
  static String clusterKey(String host) {
    return HostSyntax.isDnsName(host) ? host.toLowerCase(Locale.ROOT) : null;
  }

  /** The name of the cluster whose key is {@code key}, as given to {@link Builder#cluster}. */
  String displayName(String key) {
    return names.getOrDefault(key, key);
  }

  /** How a cluster is named in sticky policies, rules and rate limits: its key, else lower case. */
  static String clusterRef(String name) {
    String key = clusterKey(name);
    return key != null ? key : name.toLowerCase(Locale.ROOT);
  }

  private static boolean isIpAddress(String host) {
    String bare = host.length() > 2 && host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return HostSyntax.ipLiteral(bare) != null;
  }

  private static byte[] newSecret() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return secret;
  }

  @Override
  public String toString() {
    return "LbConfig{clusters=" + byName.keySet() + ", rules=" + rules + ", sticky=" + sticky
        + ", rateLimits=" + rateLimits + ", " + retryPolicy + ", strict=" + strict + "}";
  }

  /**
   * Checks a timeout: null (unset), or in (0, 24 h].
   *
   * @throws IllegalArgumentException naming the field and the value
   */
  static void checkTimeout(String field, Duration d) {
    if (d != null && (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(1)) > 0)) {
      throw new IllegalArgumentException(field + " must be in (0, PT24H], was " + d);
    }
  }

  /** Builds an {@link LbConfig}; {@link #build()} validates every setting. */
  public static final class Builder {
    private final Map<String, Picker> clusters = new LinkedHashMap<>();
    private final Map<String, String> names = new LinkedHashMap<>();
    private final Map<String, StickyPolicy> sticky = new LinkedHashMap<>();
    private final Map<String, CallPolicy> callPolicies = new LinkedHashMap<>();
    private final List<RouteRule> rules = new ArrayList<>();
    private final List<RateLimit> rateLimits = new ArrayList<>();
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private boolean strict;
    private Duration callTimeout;
    private Duration connectTimeout;
    private Duration readTimeout;
    private Duration writeTimeout;
    private TlsName tlsName = TlsName.LOGICAL;
    private HostHeader hostHeader = HostHeader.LOGICAL;
    private boolean allowHttpsToHttpRedirects;
    private int maxRequestsPerHost = DEFAULT_MAX_REQUESTS_PER_HOST;
    private LbEventListener listener = LbEventListener.NONE;
    private OutcomeClassifier classifier = OutcomeClassifier.DEFAULT;
    private Ticker ticker = Ticker.SYSTEM;
    private RandomSource random = RandomSource.threadLocal();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private Executor cacheExecutor = ForkJoinPool.commonPool();
    private byte[] stickySecret;
    private String error;

    private Builder() {}

    /**
     * Balances requests for logical host {@code host} with {@code picker}. Any {@link Picker}
     * works; balancer-cookie and application-cookie stickiness need a {@link LoadBalancer},
     * which honours the server a pick prefers ({@link
     * dev.lbkit.api.PickContext#preferredIdOrNull()}).
     *
     * <p>{@code host} is what a request URL names: a DNS name (letters, digits, {@code -} and
     * {@code _}; labels of at most 63 characters, 253 in all), matched against the request's host
     * in any case. An IP address is refused: OkHttp connects to an address literal directly and
     * never asks the client's {@code Dns}, so no call to it could be balanced. Anything else
     * ({@code users:8080}, {@code users service/x}) could never match a request. Both fail
     * {@link #build()}.
     *
     * <p>A port in a request's URL ({@code http://user-service:8080/}) is ignored: each attempt
     * goes to the port of the server picked. The first request naming a port is logged at WARN,
     * once per cluster and port.
     */
    public Builder cluster(String host, Picker picker) {
      String key = host == null || host.isBlank() ? null : clusterKey(host);
      if (host == null || host.isBlank()) {
        fail("cluster host must not be empty, was " + (host == null ? "null" : "'" + host + "'"));
      } else if (isIpAddress(host)) {
        fail("cluster host must be a DNS name, not an IP address (OkHttp connects to an address directly"
            + " and never asks lbkit to balance it), was '" + host + "'");
      } else if (key == null) {
        fail("cluster host must be a DNS name, was '" + host + "'");
      } else if (picker == null) {
        fail("picker of " + host + " must not be null, was null");
      } else if (clusters.put(key, picker) != null) {
        fail("cluster " + host + " is defined twice");
      } else {
        names.put(key, host);
      }
      return this;
    }

    /** Makes {@code cluster} sticky with {@code policy}. */
    public Builder sticky(String cluster, StickyPolicy policy) {
      sticky.put(clusterRef(Objects.requireNonNull(cluster, "cluster")), Objects.requireNonNull(policy, "policy"));
      return this;
    }

    /**
     * Overrides the retry policy, call timeout or attempt timeouts for the requests balanced by
     * {@code cluster}; what {@code policy} leaves unset stays this config's. A rule's own {@link
     * RouteRule.Builder#callPolicy} wins over it for the requests the rule routes.
     */
    public Builder callPolicy(String cluster, CallPolicy policy) {
      callPolicies.put(clusterRef(Objects.requireNonNull(cluster, "cluster")), Objects.requireNonNull(policy, "policy"));
      return this;
    }

    /** Appends a routing rule; rules are tried in the order added. */
    public Builder rule(RouteRule rule) {
      rules.add(Objects.requireNonNull(rule, "rule"));
      return this;
    }

    /**
     * Adds a rate limit; a call must get a permit from every limit that applies, taken in the
     * order added. A call one limit refuses gives back the permits it took from earlier ones, so
     * a refused call consumes nothing.
     */
    public Builder rateLimit(RateLimit limit) {
      rateLimits.add(Objects.requireNonNull(limit, "limit"));
      return this;
    }

    /**
     * The retry policy, {@link RetryPolicy#DEFAULT} by default: that of every cluster and rule
     * whose {@link CallPolicy} sets none.
     */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
      return this;
    }

    /** Rejects requests whose host names no cluster and matches no rule (default: pass them through). */
    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    /**
     * Overall deadline of a call, every attempt, backoff and redirect included. By default the
     * base client's call timeout, or {@link #DEFAULT_CALL_TIMEOUT} when it has none. A cluster or
     * a rule may set its own, longer or shorter ({@link CallPolicy}).
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = timeout;
      return this;
    }

    /**
     * Per-attempt connect, read and write timeouts; null keeps the base client's. A cluster or a
     * rule may set its own ({@link CallPolicy}).
     */
    public Builder attemptTimeouts(Duration connect, Duration read, Duration write) {
      this.connectTimeout = connect;
      this.readTimeout = read;
      this.writeTimeout = write;
      return this;
    }

    /** Which name TLS verifies, {@link TlsName#LOGICAL} by default. */
    public Builder tlsName(TlsName name) {
      this.tlsName = Objects.requireNonNull(name, "tlsName");
      return this;
    }

    /** What the Host header says, {@link HostHeader#LOGICAL} by default. */
    public Builder hostHeader(HostHeader header) {
      this.hostHeader = Objects.requireNonNull(header, "hostHeader");
      return this;
    }

    /** Follows redirects from HTTPS to HTTP (refused by default: the response is returned as is). */
    public Builder allowHttpsToHttpRedirects(boolean allow) {
      this.allowHttpsToHttpRedirects = allow;
      return this;
    }

    /**
     * The async dispatcher's per-host limit for the wrapped client. When the base dispatcher's
     * is lower, the wrapped client gets its own dispatcher sharing the base's executor. Zero
     * keeps the base dispatcher as it is and logs a warning when its limit is below the default.
     */
    public Builder maxRequestsPerHost(int max) {
      this.maxRequestsPerHost = max;
      return this;
    }

    /** Receives every balancing decision; {@link LbEventListener#NONE} by default. */
    public Builder listener(LbEventListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Classifies attempts; {@link OutcomeClassifier#DEFAULT} by default. */
    public Builder classifier(OutcomeClassifier classifier) {
      this.classifier = Objects.requireNonNull(classifier, "classifier");
      return this;
    }

    /** The clock of latencies, deadlines, budgets, limiters and caches. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Randomness for weighted splits. */
    public Builder random(RandomSource random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** How backoff and rate-limit waits sleep. */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Executor of Caffeine's maintenance; tests pass {@code Runnable::run}. */
    public Builder cacheExecutor(Executor executor) {
      this.cacheExecutor = Objects.requireNonNull(executor, "cacheExecutor");
      return this;
    }

    /**
     * Secret of balancer-cookie tokens; share it between processes that must honour each
     * other's cookies. A process honours another's token once it has itself had a response
     * from the server the token names (it learns tokens as it issues them); until then such a
     * request gets a normal pick and a new cookie. At least 16 bytes. By default 32 random
     * bytes per config.
     */
    public Builder stickySecret(byte[] secret) {
      this.stickySecret = Objects.requireNonNull(secret, "stickySecret").clone();
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the bad field and its value
     */
    public LbConfig build() {
      if (error != null) {
        throw new IllegalArgumentException(error);
      }
      for (RouteRule rule : rules) {
        for (String target : rule.clusters()) {
          if (!clusters.containsKey(clusterRef(target))) {
            throw new IllegalArgumentException(
                "rule " + rule.name() + " targets unknown cluster " + target + ", known: " + names.values());
          }
        }
      }
      for (Map.Entry<String, StickyPolicy> e : sticky.entrySet()) {
        Picker p = clusters.get(e.getKey());
        if (p == null) {
          throw new IllegalArgumentException("sticky policy for unknown cluster " + e.getKey() + ", known: " + names.values());
        }
        if (e.getValue().kind() != StickyPolicy.Kind.HASH && !(p instanceof LoadBalancer)) {
          throw new IllegalArgumentException(
              "sticky policy " + e.getValue() + " of " + e.getKey() + " needs a LoadBalancer, was " + p.getClass().getName());
        }
      }
      for (String cluster : callPolicies.keySet()) {
        if (!clusters.containsKey(cluster)) {
          throw new IllegalArgumentException("call policy for unknown cluster " + cluster + ", known: " + names.values());
        }
      }
      for (RateLimit limit : rateLimits) {
        if (limit.cluster() != null && !clusters.containsKey(clusterRef(limit.cluster()))) {
          throw new IllegalArgumentException("rate limit for unknown cluster " + limit.cluster() + ", known: " + names.values());
        }
      }
      checkTimeout("callTimeout", callTimeout);
      checkTimeout("connectTimeout", connectTimeout);
      checkTimeout("readTimeout", readTimeout);
      checkTimeout("writeTimeout", writeTimeout);
      if (maxRequestsPerHost < 0 || maxRequestsPerHost > 100_000) {
        throw new IllegalArgumentException("maxRequestsPerHost must be in [0, 100000], was " + maxRequestsPerHost);
      }
      if (stickySecret != null && stickySecret.length < 16) {
        throw new IllegalArgumentException("stickySecret must have at least 16 bytes, was " + stickySecret.length);
      }
      return new LbConfig(this);
    }

    private void fail(String message) {
      if (error == null) {
        error = message;
      }
    }
  }
}
