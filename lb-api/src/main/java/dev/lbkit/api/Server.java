package dev.lbkit.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One backend that a balancer may send requests to: an immutable value.
 *
 * <p><b>Identity.</b> A server is identified by its address, {@link #id()} ({@code host:port}).
 * The runtime uses the id to de-duplicate server lists and to key live statistics, so a
 * server whose weight or metadata changes keeps its in-flight count and latency history.
 *
 * <p><b>Equality.</b> {@link #equals} compares <em>every</em> field, not just the address.
 * A {@code Server} is a value: two servers with the same address but different weights are
 * different configurations, and the runtime must see a weight change as a change so that it
 * rebuilds weighted pickers. Code that wants address identity compares {@link #id()}.
 *
 * <p>Instances are thread-safe.
 */
public final class Server {

  /** Default weight: every server gets an equal share unless told otherwise. */
  public static final int DEFAULT_WEIGHT = 1;

  /** Smallest weight. Zero is rejected: a server that must get no traffic is drained or removed. */
  public static final int MIN_WEIGHT = 1;

  /**
   * Largest weight. One million leaves room for fine-grained ratios (0.0001%) while keeping
   * the sum of weights of 1,000 servers within a {@code long} and well within a double's
   * exact integer range.
   */
  public static final int MAX_WEIGHT = 1_000_000;

  /** Default priority tier: 0 is the highest tier, the one that takes traffic first. */
  public static final int DEFAULT_PRIORITY = 0;

  /** Lowest tier allowed. 127 tiers are far more than any deployment uses (Envoy allows 128). */
  public static final int MAX_PRIORITY = 127;

  private final String host;
  private final int port;
  private final int weight;
  private final String zone;
  private final String region;
  private final int priority;
  private final Map<String, String> metadata;
  private final String id;

  private Server(Builder b, String host) {
    this.host = host;
    this.port = b.port;
    this.weight = b.weight;
    this.zone = b.zone;
    this.region = b.region;
    this.priority = b.priority;
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
    this.id = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** Returns a server at {@code host:port} with default weight, priority and no zone. */
  public static Server of(String host, int port) {
    return builder(host, port).build();
  }

  /** Returns a builder for a server at {@code host:port}. */
  public static Builder builder(String host, int port) {
    return new Builder(host, port);
  }

  /**
   * Host name or IP literal, never empty; an IPv6 literal without brackets. See {@link
   * Builder#build()} for what is accepted.
   */
  public String host() {
    return host;
  }

  /** TCP port in 1..65535. */
  public int port() {
    return port;
  }

  /** Configured weight in [{@value #MIN_WEIGHT}, {@value #MAX_WEIGHT}]. */
  public int weight() {
    return weight;
  }

  /** The zone (for example {@code us-east-1a}), if known. */
  public Optional<String> zone() {
    return Optional.ofNullable(zone);
  }

  /** The region (for example {@code us-east-1}), if known. */
  public Optional<String> region() {
    return Optional.ofNullable(region);
  }

  /** Priority tier; 0 is the highest. */
  public int priority() {
    return priority;
  }

  /** Free-form string metadata, unmodifiable, never null. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * The server's address, {@code host:port} (IPv6 literals in brackets). This is the
   * server's identity: it de-duplicates lists and keys live statistics.
   */
  public String id() {
    return id;
  }

  /** Returns a builder initialised with this server's fields. */
  public Builder toBuilder() {
    Builder b = new Builder(host, port).weight(weight).priority(priority).metadata(metadata);
    b.zone = zone;
    b.region = region;
    return b;
  }

  /** Returns a copy of this server with another weight. */
  public Server withWeight(int newWeight) {
    return toBuilder().weight(newWeight).build();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Server)) {
      return false;
    }
    Server s = (Server) o;
    return port == s.port
        && weight == s.weight
        && priority == s.priority
        && host.equals(s.host)
        && Objects.equals(zone, s.zone)
        && Objects.equals(region, s.region)
        && metadata.equals(s.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(host, port, weight, zone, region, priority, metadata);
  }

  /** A readable form, for example {@code 10.0.0.1:8080 (weight 3, zone us-east-1a)}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(id).append(" (weight ").append(weight);
    if (priority != DEFAULT_PRIORITY) {
      sb.append(", priority ").append(priority);
    }
    if (zone != null) {
      sb.append(", zone ").append(zone);
    }
    if (region != null) {
      sb.append(", region ").append(region);
    }
    if (!metadata.isEmpty()) {
      sb.append(", metadata ").append(metadata);
    }
    return sb.append(')').toString();
  }

  /** Builds a {@link Server}; every field is validated in {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private final String host;
    private final int port;
    private int weight = DEFAULT_WEIGHT;
    private String zone;
    private String region;
    private int priority = DEFAULT_PRIORITY;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private boolean metadataNull;

    private Builder(String host, int port) {
      this.host = host;
      this.port = port;
    }

    /** Sets the weight, in [{@value #MIN_WEIGHT}, {@value #MAX_WEIGHT}]. */
    public Builder weight(int weight) {
      this.weight = weight;
      return this;
    }

    /** Sets the zone; must not be empty. */
    public Builder zone(String zone) {
      this.zone = Objects.requireNonNull(zone, "zone must not be null");
      return this;
    }

    /** Sets the region; must not be empty. */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region must not be null");
      return this;
    }

    /** Sets the priority tier, in [0, {@value #MAX_PRIORITY}]; 0 is the highest. */
    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    /** Adds one metadata entry. Keys and values must not be null. */
    public Builder metadata(String key, String value) {
      if (key == null || value == null) {
        throw new IllegalArgumentException(
            "metadata entries must not be null, was " + key + "=" + value);
      }
      metadata.put(key, value);
      return this;
    }

    /** Adds every entry of {@code entries}; the map and its keys and values must not be null. */
    public Builder metadata(Map<String, String> entries) {
      if (entries == null) {
        metadataNull = true;
        return this;
      }
      entries.forEach(this::metadata);
      return this;
    }

    /**
     * Validates and builds the server.
     *
     * <p>The host must be an IPv4 literal ({@code 10.0.0.1}), an IPv6 literal ({@code ::1}, or
     * {@code [::1]}, whose brackets are dropped because {@link Server#id()} adds them), or a DNS
     * name of ASCII letters, digits, {@code -} and {@code _} with labels of at most 63
     * characters and at most 253 characters in all ({@code backend-1}, {@code
     * _http._tcp.example.com}, {@code users.svc.cluster.local.}). That is a subset of what
     * OkHttp's {@code HttpUrl} accepts: URLs, ports, spaces and zone ids are rejected.
     *
     * @throws IllegalArgumentException naming the field and the value when a field is invalid
     */
    public Server build() {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException(
            "host must not be empty, was " + (host == null ? "null" : "'" + host + "'"));
      }
      String checkedHost = HostNames.check(host);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be in [1, 65535], was " + port);
      }
      if (weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
        throw new IllegalArgumentException(
            "weight must be in [" + MIN_WEIGHT + ", " + MAX_WEIGHT + "], was " + weight);
      }
      if (priority < 0 || priority > MAX_PRIORITY) {
        throw new IllegalArgumentException(
            "priority must be in [0, " + MAX_PRIORITY + "], was " + priority);
      }
      if (zone != null && zone.isBlank()) {
        throw new IllegalArgumentException("zone must not be empty, was '" + zone + "'");
      }
      if (region != null && region.isBlank()) {
        throw new IllegalArgumentException("region must not be empty, was '" + region + "'");
      }
      if (metadataNull) {
        throw new IllegalArgumentException("metadata must not be null, was null");
      }
      return new Server(this, checkedHost);
    }
  }
}
