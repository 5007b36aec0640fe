package dev.lbkit.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.okhttp.RateLimit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Redis key of each scope, exactly. */
class RedisKeysTest {
  private static RateLimit.Builder limit() {
    return RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 10, Duration.ofSeconds(1));
  }

  @Test
  void namesEachScopeAndTheClusterALimitIsRestrictedTo() {
    assertEquals("p:global", RedisKeys.of("p", limit().global().build(), ""));
    assertEquals("p:global@orders", RedisKeys.of("p", limit().global().cluster("Orders").build(), ""));
    assertEquals("p:cluster:orders", RedisKeys.of("p", limit().perCluster().build(), "orders"));
    assertEquals("p:key:x-api-key:k-42", RedisKeys.of("p", limit().perKey("X-Api-Key").build(), "k-42"));
    assertEquals("p:key@orders:x-api-key:", RedisKeys.of("p", limit().perKey("X-Api-Key").cluster("orders").build(), ""));
  }

  @Test
  void hashesLongOrUnprintableValues() {
    RateLimit perKey = limit().perKey("X-Api-Key").build();
    String plain = "k".repeat(RedisKeys.MAX_PLAIN_VALUE);
    assertEquals("p:key:x-api-key:" + plain, RedisKeys.of("p", perKey, plain));
    assertEquals("p:key:x-api-key:sha256:f39cdc2584758c99cf81c1f41d2572f54e17066afffc9d187aeafe5f7cbe2122",
        RedisKeys.of("p", perKey, plain + "k"));
    assertEquals("p:key:x-api-key:sha256:c8687a08aa5d6ed2044328fa6a697ab8e96dc34291e8c2034ae8c38e6fcc6d65",
        RedisKeys.of("p", perKey, "a b"));
    assertEquals("p:key:x-api-key:sha256:51cbcf30514d0802eb5c60a018f384ea3fb9b69307c554ee63ecb43177594de4",
        RedisKeys.of("p", perKey, "cl\u00e9"));
  }
}
