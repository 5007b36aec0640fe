package dev.lbkit.redis;

import dev.lbkit.okhttp.RateLimit;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The Redis key of one limiter: the backend's prefix, the limit's scope (and cluster, when the
 * limit is restricted to one), then the scope value.
 *
 * <pre>
 *   lbkit:rl:global                       a global limit
 *   lbkit:rl:global@orders                a global limit restricted to cluster "orders"
 *   lbkit:rl:cluster:orders               a per-cluster limit, cluster "orders"
 *   lbkit:rl:key:x-api-key:k-42           a per-key limit on header X-Api-Key, value "k-42"
 *   lbkit:rl:key:x-api-key:sha256:9f86…   a value that is long or not printable ASCII
 * </pre>
 *
 * Header values come from requests, so a value longer than {@link #MAX_PLAIN_VALUE} characters or
 * outside printable ASCII is replaced by its SHA-256: keys stay short and printable whatever
 * clients send. Two limits of the same scope, header and cluster on one backend share keys: give
 * them backends with different prefixes.
 */
final class RedisKeys {
  /** Longest header value kept as is in a key; longer ones are hashed. */
  static final int MAX_PLAIN_VALUE = 64;

  private RedisKeys() {}

  static String of(String prefix, RateLimit limit, String scopeKey) {
    String restricted = limit.cluster() == null ? "" : "@" + limit.cluster().toLowerCase(Locale.ROOT);
    switch (limit.scope()) {
      case GLOBAL:
        return prefix + ":global" + restricted;
      case CLUSTER:
        return prefix + ":cluster" + restricted + ":" + scopeKey;
      case KEY:
        return prefix + ":key" + restricted + ":" + limit.keyHeader().toLowerCase(Locale.ROOT) + ":" + value(scopeKey);
      default:
        throw new AssertionError(limit.scope());
    }
  }

  private static String value(String v) {
    if (v.length() <= MAX_PLAIN_VALUE && v.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return v;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(v.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
