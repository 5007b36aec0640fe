package dev.lbkit.redis;

import dev.lbkit.api.Ticker;
import dev.lbkit.okhttp.RateLimit;
import dev.lbkit.okhttp.RateLimiter;
import dev.lbkit.okhttp.RateLimiterBackend;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.lettuce.core.RedisURI;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Fleet-wide rate limits: a {@link RateLimiterBackend} that keeps each limiter's token bucket in
 * Redis, so that every client process using the same Redis and key prefix shares one limit.
 *
 * <pre>{@code
 * RedisRateLimiterBackend redis = RedisRateLimiterBackend.builder("redis://127.0.0.1:6379")
 *     .keyPrefix("orders-client:rl")
 *     .build();
 * OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
 *     .cluster("orders", ordersBalancer)
 *     .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 500, Duration.ofSeconds(1))
 *         .perKey("X-Api-Key").backend(redis).build())
 *     .build());
 * ...
 * redis.close(); // after the clients that use it
 * }</pre>
 *
 * <p><b>Algorithm.</b> Bucket4j's token bucket (bucket4j.com, "distributed" section), with greedy
 * refill: capacity {@code permits}, refilled continuously at {@code permits / period}, exactly as
 * the local {@link RateLimit.Algorithm#TOKEN_BUCKET}. Bucket4j's Lettuce integration stores the
 * bucket under one key and updates it by compare-and-swap (a Lua script that writes only if the
 * value is unchanged), computing the refill on the client. So over any interval {@code T}, the
 * fleet is granted at most {@code permits + permits × T / period}, and exactly that when demand
 * exceeds it (measured by {@code RedisExactnessTest}). Cost per permit: two round trips to Redis
 * (read, then compare-and-swap), more under contention. Only token buckets are offered: {@link
 * RateLimit.Builder#build()} rejects any other algorithm, naming it.
 *
 * <p><b>Keys.</b> One per limiter: {@code <prefix>:global}, {@code <prefix>:cluster:<cluster>},
 * {@code <prefix>:key:<header>:<value>} (long or binary values hashed). Every key expires once
 * its bucket would be full again plus {@link #KEY_TTL_AFTER_FULL}: an absent key is a full bucket,
 * so expiry loses nothing, and Redis holds only the keys of recent callers however many clients
 * send (the client's {@link RateLimit#maxKeys()} bounds only its own memory). Processes that
 * share a key must configure the same limit.
 *
 * <p><b>Time.</b> Bucket4j's clock is {@link Builder#ticker} anchored once on {@link
 * Builder#wallClock} (see {@code TickerTimeMeter}): processes agree up to their wall clocks' skew.
 * Inject the same ticker as {@code LbConfig.Builder.ticker} to drive both from a test clock.
 *
 * <p><b>Redis unreachable.</b> No call waits on Redis longer than {@link Builder#timeout}
 * (connecting included). A call that fails or times out falls back as {@link WhenUnavailable}
 * says: {@link WhenUnavailable#FAIL_OPEN} (the default) takes a permit from a local token bucket of
 * the same limit, {@link WhenUnavailable#FAIL_CLOSED} refuses (Envoy's global rate limit filter makes
 * the same choice with {@code failure_mode_deny}, failing open by default). Redis becoming unreachable and
 * answering again are each logged once (WARN, INFO). Lettuce reconnects by itself, within about a
 * second of Redis coming back, and the shared limits resume.
 *
 * <p><b>Lifecycle.</b> The backend holds one Redis connection and Lettuce's few threads (named
 * {@code lettuce-*}), opened by the first call. {@link #close()} releases them; lbkit never closes a
 * backend, since several clients may share one.
 *
 * <p>Threading: thread-safe; build one per Redis and prefix and share it.
 */
public final class RedisRateLimiterBackend implements RateLimiterBackend, AutoCloseable {

  /**
   * Default wait on Redis per call, 200 ms: far above a healthy Redis round trip (well under a
   * millisecond on a LAN), short enough that an outage costs a caller little before the fallback.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);

  /** Default key prefix: lbkit's name and "rate limit", so keys are recognisable in Redis. */
  public static final String DEFAULT_KEY_PREFIX = "lbkit:rl";

  /**
   * How long a key outlives the moment its bucket would be full again: a little, so that a key
   * refilled and reused at once is not dropped and recreated.
   */
  public static final Duration KEY_TTL_AFTER_FULL = Duration.ofSeconds(5);

  /** Longest accepted key prefix; keys also carry the scope and value. */
  static final int MAX_PREFIX_LENGTH = 128;

  private static final Pattern PREFIX = Pattern.compile("[\\x21-\\x7e]+");

  /** What a call does while Redis does not answer. */
  public enum WhenUnavailable {
    /** Take a permit from a local token bucket of the same limit, as if the backend were local. */
    FAIL_OPEN,
    /** Refuse the call, as if the limit were spent. */
    FAIL_CLOSED
  }

  private final String uri;
  private final String keyPrefix;
  private final Duration timeout;
  private final WhenUnavailable whenUnavailable;
  private final RedisLink link;

  private RedisRateLimiterBackend(Builder b, RedisURI redisUri, String safeUri) {
    this.uri = safeUri;
    this.keyPrefix = b.keyPrefix;
    this.timeout = b.timeout;
    this.whenUnavailable = b.whenUnavailable;
    this.link = new RedisLink(safeUri, redisUri, b.timeout, b.whenUnavailable == WhenUnavailable.FAIL_OPEN,
        new TickerTimeMeter(b.ticker, b.wallClock),
        ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEY_TTL_AFTER_FULL));
  }

  /** A builder for the Redis at {@code uri}: {@code redis://host:port[/db]} or {@code rediss://...}. */
  public static Builder builder(String uri) {
    return new Builder(uri);
  }

  /** Rejects every algorithm but {@link RateLimit.Algorithm#TOKEN_BUCKET}, naming it. */
  @Override
  public void validate(RateLimit limit) {
    if (limit.algorithm() != RateLimit.Algorithm.TOKEN_BUCKET) {
      throw new IllegalArgumentException("algorithm must be TOKEN_BUCKET with a Redis backend (Bucket4j offers token"
          + " buckets only), was " + limit.algorithm());
    }
  }

  @Override
  public RateLimiter create(RateLimit limit, String scopeKey, Ticker ticker) {
    validate(limit);
    BucketConfiguration configuration = BucketConfiguration.builder()
        .addLimit(b -> b.capacity(limit.permits()).refillGreedy(limit.permits(), limit.period()))
        .build();
    RateLimiter local = whenUnavailable == WhenUnavailable.FAIL_OPEN ? RateLimiterBackend.local().create(limit, scopeKey, ticker) : null;
    return new RedisLimiter(link, RedisKeys.of(keyPrefix, limit, scopeKey), configuration, local);
  }

  /** The Redis URI, without its password. */
  public String uri() {
    return uri;
  }

  /** The prefix of every key. */
  public String keyPrefix() {
    return keyPrefix;
  }

  /** The longest wait on Redis per call. */
  public Duration timeout() {
    return timeout;
  }

  /** What calls do while Redis does not answer. */
  public WhenUnavailable whenUnavailable() {
    return whenUnavailable;
  }

  /** Whether the last call to Redis succeeded (true before any call). */
  public boolean reachable() {
    return link.reachable();
  }

  /** How many times Redis became unreachable or answered again; each change was logged once. */
  long transitions() {
    return link.transitions();
  }

  /** Closes the Redis connection and stops Lettuce's threads (bounded wait); idempotent. */
  @Override
  public void close() {
    link.close();
  }

  @Override
  public String toString() {
    return "redis " + uri + " " + keyPrefix + " (" + whenUnavailable + ", timeout " + timeout + ")";
  }

  /** Builds a {@link RedisRateLimiterBackend}; {@link #build()} validates. */
  public static final class Builder {
    private final String uri;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private Duration timeout = DEFAULT_TIMEOUT;
    private WhenUnavailable whenUnavailable = WhenUnavailable.FAIL_OPEN;
    private Ticker ticker = Ticker.SYSTEM;
    private Clock wallClock = Clock.systemUTC();

    private Builder(String uri) {
      this.uri = uri;
    }

    /** The prefix of every key (default {@value RedisRateLimiterBackend#DEFAULT_KEY_PREFIX}): printable ASCII, no spaces. */
    public Builder keyPrefix(String prefix) {
      this.keyPrefix = prefix;
      return this;
    }

    /** The longest wait on Redis per call, connecting included (default 200 ms); in [1 ms, 60 s]. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** What calls do while Redis does not answer (default {@link WhenUnavailable#FAIL_OPEN}). */
    public Builder whenUnavailable(WhenUnavailable whenUnavailable) {
      this.whenUnavailable = Objects.requireNonNull(whenUnavailable, "whenUnavailable");
      return this;
    }

    /** The clock of the buckets' refill (default {@link Ticker#SYSTEM}); use the client's ticker. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** The wall clock read once to give the ticker an origin the fleet shares (default UTC system clock). */
    public Builder wallClock(Clock wallClock) {
      this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
      return this;
    }

    /**
     * Validates and builds. Does not connect: the first call does, so a client starts while Redis
     * is down.
     *
     * @throws IllegalArgumentException naming the bad field and its value
     */
    public RedisRateLimiterBackend build() {
      String safeUri = checkUri(uri);
      RedisURI redisUri;
      try {
        redisUri = RedisURI.create(uri);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("uri must be a Redis URI, was '" + safeUri + "': " + e.getMessage(), e);
      }
      if (keyPrefix == null || keyPrefix.length() > MAX_PREFIX_LENGTH || !PREFIX.matcher(keyPrefix).matches()) {
        throw new IllegalArgumentException("keyPrefix must be 1 to " + MAX_PREFIX_LENGTH
            + " printable ASCII characters without spaces, was " + (keyPrefix == null ? "null" : "'" + keyPrefix + "'"));
      }
      if (timeout == null || timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(Duration.ofSeconds(60)) > 0) {
        throw new IllegalArgumentException("timeout must be in [PT0.001S, PT1M], was " + timeout);
      }
      redisUri.setTimeout(timeout);
      return new RedisRateLimiterBackend(this, redisUri, safeUri);
    }

    /** Checks {@code uri} and returns it without user info, for messages and logs. */
    private static String checkUri(String uri) {
      if (uri == null || uri.isBlank()) {
        throw new IllegalArgumentException("uri must be redis://host:port or rediss://host:port, was "
            + (uri == null ? "null" : "'" + uri + "'"));
      }
      URI parsed;
      try {
        parsed = new URI(uri);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("uri must be redis://host:port or rediss://host:port, was '"
            + withoutUserInfo(uri) + "': " + e.getReason());
      }
      String safe = parsed.getRawUserInfo() == null ? uri : withoutUserInfo(uri);
      if (!"redis".equalsIgnoreCase(parsed.getScheme()) && !"rediss".equalsIgnoreCase(parsed.getScheme())) {
        throw new IllegalArgumentException("uri must be redis://host:port or rediss://host:port, was '" + safe + "'");
      }
      if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
        throw new IllegalArgumentException("uri must name a host, was '" + safe + "'");
      }
      if (parsed.getPort() == 0 || parsed.getPort() > 65_535) {
        throw new IllegalArgumentException("uri port must be in [1, 65535], was '" + safe + "'");
      }
      return safe;
    }

    private static String withoutUserInfo(String uri) {
      int scheme = uri.indexOf("://");
      int at = uri.indexOf('@', Math.max(0, scheme));
      return scheme >= 0 && at > scheme ? uri.substring(0, scheme + 3) + "***@" + uri.substring(at + 1) : uri;
    }
  }
}
