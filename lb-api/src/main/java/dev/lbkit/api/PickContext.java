package dev.lbkit.api;

import dev.lbkit.api.internal.XxHash64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a pick may know about the request: an optional hash key (consistent hashing, sticky
 * routing), an optional preferred server (sticky sessions: the runtime returns it whenever it
 * is pickable and not avoided), the servers to avoid (already tried by a retry of the same
 * call), and optional request attributes.
 *
 * <p>Use {@link #EMPTY} for the common case: it makes a pick allocation-free. Immutable and
 * thread-safe.
 */
public final class PickContext {

  /** The context of a request with no key, nothing to avoid and no attributes. */
  public static final PickContext EMPTY = new PickContext(null, 0, null, Set.of(), Map.of());

  private final String hashKey;
  private final long keyHash;
  private final String preferred;
  private final Set<String> avoid;
  private final boolean hasAvoid; // the pick paths' test, one field instead of the set's size
  private final Map<String, String> attributes;

  private PickContext(
      String hashKey, long keyHash, String preferred, Set<String> avoid, Map<String, String> attributes) {
    this.hashKey = hashKey;
    this.keyHash = keyHash;
    this.preferred = preferred;
    this.avoid = avoid;
    this.hasAvoid = !avoid.isEmpty();
    this.attributes = attributes;
  }

  /**
   * Returns a context with only a hash key: one small object, the key hashed once. The form for
   * keyed picks on a hot path.
   */
  public static PickContext ofKey(String hashKey) {
    checkKey(hashKey);
    return new PickContext(hashKey, XxHash64.hash(hashKey), null, Set.of(), Map.of());
  }

  private static void checkKey(String key) {
    if (key == null) {
      throw new IllegalArgumentException("hashKey must not be null, was null");
    }
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder initialised with this context. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.hashKey = hashKey;
    b.keyHash = keyHash;
    b.preferred = preferred;
    b.avoid.addAll(avoid);
    b.attributes.putAll(attributes);
    return b;
  }

  /** The key that consistent hashing and sticky routing hash, if any. */
  public Optional<String> hashKey() {
    return Optional.ofNullable(hashKey);
  }

  /** The hash key, or null: the allocation-free form of {@link #hashKey()} for pick paths. */
  public String hashKeyOrNull() {
    return hashKey;
  }

  /**
   * The xxHash64 of the hash key's UTF-8 bytes (seed 0), computed once when the key was set and
   * carried by {@link #toBuilder()}, so that every pick and retry of a request reuses it; 0
   * without a key. Consistent-hashing algorithms place keys by it.
   */
  public long keyHash() {
    return keyHash;
  }

  /**
   * The id ({@link Server#id()}) of the server this request prefers, or null. The runtime
   * returns that server whenever the current snapshot offers it (pickable, or spread over in
   * panic), no admission gate refuses it and the context does not avoid it; otherwise the
   * algorithm picks as if no server were preferred.
   */
  public String preferredIdOrNull() {
    return preferred;
  }

  /** The ids ({@link Server#id()}) of servers to avoid, unmodifiable. */
  public Set<String> avoidIds() {
    return avoid;
  }

  /** Whether any server is to be avoided; lets pick paths skip the set lookup. */
  public boolean hasAvoid() {
    return hasAvoid;
  }

  /** Whether {@code server} is to be avoided. */
  public boolean avoids(Server server) {
    return hasAvoid && avoid.contains(server.id());
  }

  /** Request attributes, unmodifiable. */
  public Map<String, String> attributes() {
    return attributes;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof PickContext)) {
      return false;
    }
    PickContext c = (PickContext) o;
    return Objects.equals(hashKey, c.hashKey)
        && Objects.equals(preferred, c.preferred)
        && avoid.equals(c.avoid)
        && attributes.equals(c.attributes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(hashKey, preferred, avoid, attributes);
  }

  @Override
  public String toString() {
    return "PickContext{hashKey=" + hashKey + ", preferred=" + preferred + ", avoid=" + avoid
        + ", attributes=" + attributes + "}";
  }

  /** Builds a {@link PickContext}. Not thread-safe. */
  public static final class Builder {
    private String hashKey;
    private long keyHash;
    private String preferred;
    private final Set<String> avoid = new LinkedHashSet<>();
    private final Map<String, String> attributes = new LinkedHashMap<>();

    private Builder() {}

    /** Sets the hash key; must not be null. */
    public Builder hashKey(String key) {
      checkKey(key);
      if (!key.equals(hashKey)) {
        this.hashKey = key;
        this.keyHash = XxHash64.hash(key);
      }
      return this;
    }

    /** Prefers {@code server}; see {@link PickContext#preferredIdOrNull()}. */
    public Builder prefer(Server server) {
      return preferId(Objects.requireNonNull(server, "server").id());
    }

    /** Prefers the server whose {@link Server#id()} is {@code serverId}. */
    public Builder preferId(String serverId) {
      if (serverId == null) {
        throw new IllegalArgumentException("preferred server id must not be null, was null");
      }
      this.preferred = serverId;
      return this;
    }

    /** Adds a server to avoid. */
    public Builder avoid(Server server) {
      avoid.add(Objects.requireNonNull(server, "server").id());
      return this;
    }

    /** Adds servers to avoid. */
    public Builder avoidAll(Collection<Server> servers) {
      servers.forEach(this::avoid);
      return this;
    }

    /** Adds one request attribute; key and value must not be null. */
    public Builder attribute(String key, String value) {
      if (key == null || value == null) {
        throw new IllegalArgumentException(
            "attribute entries must not be null, was " + key + "=" + value);
      }
      attributes.put(key, value);
      return this;
    }

    /** Builds the context. */
    public PickContext build() {
      if (hashKey == null && preferred == null && avoid.isEmpty() && attributes.isEmpty()) {
        return EMPTY;
      }
      return new PickContext(
          hashKey,
          keyHash,
          preferred,
          Collections.unmodifiableSet(new LinkedHashSet<>(avoid)),
          Collections.unmodifiableMap(new LinkedHashMap<>(attributes)));
    }
  }
}
