package dev.lbkit.okhttp;

import dev.lbkit.api.RandomSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * A layer-7 routing rule: conditions on the request and the cluster (or weighted clusters) it
 * goes to. Rules are plain data built with {@link #builder()}; {@link LbConfig} evaluates them in
 * order and the first whose every condition holds wins.
 *
 * <p><b>Trust.</b> Headers, query parameters and cookies come from whoever built the request
 * and are untrusted: they only choose between the rules the configuration lists, and a rule
 * only ever routes to its own clusters. A rule without a {@link Builder#host host} condition
 * applies only to requests addressed to a logical host (a cluster name or a host named by some
 * rule), never to a request for an arbitrary outside host.
 *
 * <p>Example: send 5% of {@code /api/} traffic of {@code shop} to {@code shop-canary}:
 *
 * <pre>{@code
 * RouteRule.builder().host("shop").pathPrefix("/api/")
 *     .split("shop-stable", 95).split("shop-canary", 5).build();
 * }</pre>
 *
 * <p>A rule may carry its own retry policy and timeouts ({@link Builder#callPolicy}), over those
 * of its target clusters: a slow export path gets a longer call timeout than the rest of its
 * service.
 */
public final class RouteRule {

  private final String name;
  private final String host;
  private final String pathPrefix;
  private final String method;
  private final Map<String, String> headers;
  private final Map<String, String> queryParameters;
  private final Map<String, String> cookies;
  private final List<String> clusters;
  private final int[] cumulative;
  private final CallPolicy callPolicy;

  private RouteRule(Builder b) {
    this.host = b.host;
    this.pathPrefix = b.pathPrefix;
    this.method = b.method;
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    this.queryParameters = Collections.unmodifiableMap(new LinkedHashMap<>(b.queryParameters));
    this.cookies = Collections.unmodifiableMap(new LinkedHashMap<>(b.cookies));
    this.clusters = List.copyOf(b.targets.keySet());
    this.cumulative = new int[clusters.size()];
    int sum = 0;
    for (int i = 0; i < clusters.size(); i++) {
      sum += b.targets.get(clusters.get(i));
      cumulative[i] = sum;
    }
    this.callPolicy = b.callPolicy;
    this.name = b.name != null ? b.name : describe();
  }

  /** A builder for a rule; at least one target is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The rule's name, as given or derived from its conditions; used in logs and events. */
  public String name() {
    return name;
  }

  /** The host condition (lower case), or null when the rule applies to any logical host. */
  public String host() {
    return host;
  }

  /** The target clusters with their weights, in declaration order. */
  public Map<String, Integer> targets() {
    Map<String, Integer> m = new LinkedHashMap<>();
    int prev = 0;
    for (int i = 0; i < clusters.size(); i++) {
      m.put(clusters.get(i), cumulative[i] - prev);
      prev = cumulative[i];
    }
    return Collections.unmodifiableMap(m);
  }

  /**
   * The retry policy and timeouts of the requests this rule routes, over its targets' own
   * ({@link LbConfig.Builder#callPolicy}); {@link CallPolicy#INHERIT} when the rule sets none.
   */
  public CallPolicy callPolicy() {
    return callPolicy;
  }

  boolean matches(Request request, Map<String, String> requestCookies) {
    HttpUrl url = request.url();
    if (host != null && !host.equals(url.host())) {
      return false;
    }
    if (pathPrefix != null && !url.encodedPath().startsWith(pathPrefix)) {
      return false;
    }
    if (method != null && !method.equals(request.method())) {
      return false;
    }
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (!h.getValue().equals(request.header(h.getKey()))) {
        return false;
      }
    }
    for (Map.Entry<String, String> q : queryParameters.entrySet()) {
      if (!q.getValue().equals(url.queryParameter(q.getKey()))) {
        return false;
      }
    }
    for (Map.Entry<String, String> c : cookies.entrySet()) {
      if (!c.getValue().equals(requestCookies.get(c.getKey()))) {
        return false;
      }
    }
    return true;
  }

  boolean needsCookies() {
    return !cookies.isEmpty();
  }

  List<String> clusters() {
    return clusters;
  }

  String choose(RandomSource random) {
    if (cumulative.length == 1) {
      return clusters.get(0);
    }
    int r = random.nextInt(cumulative[cumulative.length - 1]);
    for (int i = 0; i < cumulative.length; i++) {
      if (r < cumulative[i]) {
        return clusters.get(i);
      }
    }
    return clusters.get(clusters.size() - 1);
  }

  private String describe() {
    List<String> parts = new ArrayList<>();
    if (host != null) {
      parts.add("host=" + host);
    }
    if (pathPrefix != null) {
      parts.add("path^=" + pathPrefix);
    }
    if (method != null) {
      parts.add("method=" + method);
    }
    headers.forEach((k, v) -> parts.add("header " + k + "=" + v));
    queryParameters.forEach((k, v) -> parts.add("query " + k + "=" + v));
    cookies.forEach((k, v) -> parts.add("cookie " + k + "=" + v));
    return (parts.isEmpty() ? "any" : String.join(" & ", parts)) + " -> " + targets();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof RouteRule)) {
      return false;
    }
    RouteRule r = (RouteRule) o;
    return name.equals(r.name)
        && Objects.equals(host, r.host)
        && Objects.equals(pathPrefix, r.pathPrefix)
        && Objects.equals(method, r.method)
        && headers.equals(r.headers)
        && queryParameters.equals(r.queryParameters)
        && cookies.equals(r.cookies)
        && targets().equals(r.targets())
        && callPolicy.equals(r.callPolicy);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, host, pathPrefix, method, headers, queryParameters, cookies, targets(), callPolicy);
  }

  @Override
  public String toString() {
    return "RouteRule{" + name + "}";
  }

  /** Builds a {@link RouteRule}; every condition given must hold for the rule to match. */
  public static final class Builder {
    /** Largest weight of a split target. */
    public static final int MAX_WEIGHT = 1_000_000;

    private String name;
    private String host;
    private String pathPrefix;
    private String method;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> queryParameters = new LinkedHashMap<>();
    private final Map<String, String> cookies = new LinkedHashMap<>();
    private final Map<String, Integer> targets = new LinkedHashMap<>();
    private CallPolicy callPolicy = CallPolicy.INHERIT;
    private String error;

    private Builder() {}

    /** A name for logs and events; by default one is derived from the conditions. */
    public Builder name(String name) {
      this.name = name;
      if (name == null || name.isBlank()) {
        fail("name must not be empty, was " + quote(name));
      }
      return this;
    }

    /** Matches requests whose URL host equals {@code host} (case-insensitive). */
    public Builder host(String host) {
      this.host = host == null ? null : host.toLowerCase(Locale.ROOT);
      if (host == null || host.isBlank()) {
        fail("host must not be empty, was " + quote(host));
      }
      return this;
    }

    /** Matches requests whose encoded path starts with {@code prefix} (plain string prefix). */
    public Builder pathPrefix(String prefix) {
      this.pathPrefix = prefix;
      if (prefix == null || !prefix.startsWith("/")) {
        fail("pathPrefix must start with '/', was " + quote(prefix));
      }
      return this;
    }

    /** Matches requests with this method (upper-cased). */
    public Builder method(String method) {
      if (method == null || method.isBlank()) {
        fail("method must not be empty, was " + quote(method));
      } else if (!HttpTokens.isToken(method)) {
        fail("method must be a token, was " + quote(method));
      } else {
        this.method = method.toUpperCase(Locale.ROOT);
      }
      return this;
    }

    /** Matches requests whose header {@code name} has exactly {@code value}. */
    public Builder header(String name, String value) {
      if (name != null && !name.isEmpty() && value != null && !HttpTokens.isToken(name)) {
        fail("header name must be a token, was " + name + "=" + value);
      }
      put(headers, "header", name, value);
      return this;
    }

    /** Matches requests whose query parameter {@code name} has exactly {@code value}. */
    public Builder queryParameter(String name, String value) {
      put(queryParameters, "queryParameter", name, value);
      return this;
    }

    /** Matches requests carrying cookie {@code name} with exactly {@code value}. */
    public Builder cookie(String name, String value) {
      put(cookies, "cookie", name, value);
      return this;
    }

    /** Routes every matching request to {@code cluster}. */
    public Builder toCluster(String cluster) {
      return split(cluster, 1);
    }

    /** Adds {@code cluster} as a target receiving {@code weight} parts of matching traffic. */
    public Builder split(String cluster, int weight) {
      if (cluster == null || cluster.isBlank()) {
        fail("cluster must not be empty, was " + quote(cluster));
      } else if (weight < 1 || weight > MAX_WEIGHT) {
        fail("weight of " + cluster + " must be in [1, " + MAX_WEIGHT + "], was " + weight);
      } else if (targets.containsKey(cluster)) {
        fail("cluster " + cluster + " is a target twice");
      } else {
        targets.put(cluster, weight);
      }
      return this;
    }

    /**
     * The retry policy, call timeout or attempt timeouts of the requests this rule routes; what
     * {@code policy} leaves unset comes from the target cluster's policy, then the config's.
     */
    public Builder callPolicy(CallPolicy policy) {
      this.callPolicy = Objects.requireNonNull(policy, "callPolicy");
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the bad field and its value
     */
    public RouteRule build() {
      if (error != null) {
        throw new IllegalArgumentException(error);
      }
      if (targets.isEmpty()) {
        throw new IllegalArgumentException("targets must not be empty, was {}");
      }
      long sum = 0;
      for (int w : targets.values()) {
        sum += w;
      }
      if (sum > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("sum of weights must be <= " + Integer.MAX_VALUE + ", was " + sum);
      }
      return new RouteRule(this);
    }

    private void put(Map<String, String> map, String what, String key, String value) {
      if (key == null || key.isEmpty() || value == null) {
        fail(what + " name and value must not be empty or null, was " + key + "=" + value);
      } else {
        map.put(key, value);
      }
    }

    private void fail(String message) {
      if (error == null) {
        error = message;
      }
    }

    private static String quote(String s) {
      return s == null ? "null" : "'" + s + "'";
    }
  }
}
