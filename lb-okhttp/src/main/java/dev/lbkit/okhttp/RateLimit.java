package dev.lbkit.okhttp;

import java.time.Duration;
import java.util.Objects;

/**
 * A client-side rate limit: {@link #permits()} calls per {@link #period()}, for one scope.
 *
 * <p><b>Algorithms.</b>
 * <ul>
 *   <li>{@link Algorithm#TOKEN_BUCKET}: a bucket of {@code permits} tokens refilled continuously
 *       at {@code permits / period}; allows a burst of {@code permits}, then the steady rate.
 *   <li>{@link Algorithm#SLIDING_WINDOW}: an <em>exact log</em> of the last {@code permits} grant
 *       times; a call is allowed when fewer than {@code permits} grants happened in the last
 *       {@code period}. Exact, at 8 bytes per permit per limiter.
 *   <li>{@link Algorithm#SLIDING_WINDOW_APPROXIMATE}: the two-window counter (Cloudflare's):
 *       {@code previous × (1 − elapsed/period) + current < permits}. Constant memory. It assumes
 *       the previous window's calls were spread evenly; when they were bunched at its end it
 *       admits up to almost {@code 2 × permits} in one true sliding period, and when bunched at
 *       its start it refuses calls an exact log would allow. Exact for evenly spread traffic.
 *   <li>{@link Algorithm#FIXED_WINDOW}: a counter reset at each multiple of {@code period} on the
 *       clock; up to {@code 2 × permits} may pass around a boundary.
 * </ul>
 *
 * <p><b>Backends.</b> By default each limiter counts in this process ({@link
 * RateLimiterBackend#local()}), so 50 client processes with the same limit admit 50 times it. A
 * {@link Builder#backend backend} moves the counters into a store the fleet shares: lb-redis's
 * {@code RedisRateLimiterBackend} keeps a token bucket per scope value in Redis (through
 * Bucket4j), so the limit holds for the fleet. Each backend says, at {@link Builder#build()},
 * which algorithms it offers; {@link RateLimiter} and {@link RateLimiterBackend} are the SPI for
 * writing one.
 *
 * <p><b>Scopes.</b> {@link Scope#GLOBAL}: one limiter for every call through the client (with
 * the local backend, in this process; with a shared one, for the fleet). {@link Scope#CLUSTER}:
 * one limiter per cluster (route). {@link Scope#KEY}: one limiter per value of a request header
 * (an API key, a user id), kept in a bounded Caffeine cache; requests without the header share
 * the key {@code ""}. {@link Builder#cluster(String)} restricts any scope to one cluster.
 *
 * <p>Each request takes one permit from every limit that applies, in the order the limits were
 * added, and each redirect hop that lbkit follows takes another; retries take none (the retry
 * budget bounds them). When a later limit refuses the call, or the call is interrupted while
 * waiting for it, the permits already taken from earlier limits are given back, so a refused
 * call consumes nothing: each limit is as if the call had never asked, except that a permit of
 * a window that has since ended is not restored. While a call waits for a later limit it holds
 * the permits of the earlier ones. A call that got every permit keeps them whatever happens next
 * (no server, a failed attempt, the deadline passing).
 *
 * <p>Over the limit the call fails at once with {@link LbException} ({@link
 * LbException.Reason#RATE_LIMITED}), or, when {@link #maxWait()} is positive, waits up to that
 * long (and never past the call's deadline) for a permit. The built-in limiters read the injected
 * clock of {@link LbConfig}; none reads {@code System.nanoTime()} itself. Written by hand rather than with
 * Resilience4j's {@code RateLimiter}, which reads the system clock and offers only fixed windows.
 */
public final class RateLimit {

  /** Default bound of per-key limiters, 10 000: bounds memory however many keys clients send. */
  public static final int DEFAULT_MAX_KEYS = 10_000;

  /** The limiting algorithm. */
  public enum Algorithm {
    /** Continuous refill, burst up to the limit. */
    TOKEN_BUCKET,
    /** Exact log of grant times over a sliding period. */
    SLIDING_WINDOW,
    /** Two-window weighted counter; constant memory, approximate. */
    SLIDING_WINDOW_APPROXIMATE,
    /** Counter per aligned period. */
    FIXED_WINDOW
  }

  /** What one limiter counts. */
  public enum Scope {
    /** Every call through the client. */
    GLOBAL,
    /** Each cluster separately. */
    CLUSTER,
    /** Each value of the key header separately. */
    KEY
  }

  private final Algorithm algorithm;
  private final Scope scope;
  private final int permits;
  private final Duration period;
  private final String keyHeader;
  private final String cluster;
  private final Duration maxWait;
  private final int maxKeys;
  private final RateLimiterBackend backend;

  private RateLimit(Builder b) {
    this.algorithm = b.algorithm;
    this.scope = b.scope;
    this.permits = b.permits;
    this.period = b.period;
    this.keyHeader = b.keyHeader;
    this.cluster = b.cluster;
    this.maxWait = b.maxWait;
    this.maxKeys = b.maxKeys;
    this.backend = b.backend;
  }

  /** A builder for {@code permits} calls per {@code period}. */
  public static Builder builder(Algorithm algorithm, int permits, Duration period) {
    return new Builder(algorithm, permits, period);
  }

  /** The algorithm. */
  public Algorithm algorithm() {
    return algorithm;
  }

  /** The scope. */
  public Scope scope() {
    return scope;
  }

  /** Calls allowed per period. */
  public int permits() {
    return permits;
  }

  /** The period. */
  public Duration period() {
    return period;
  }

  /** The key header for {@link Scope#KEY}, else null. */
  public String keyHeader() {
    return keyHeader;
  }

  /** The only cluster this limit applies to, or null for all calls. */
  public String cluster() {
    return cluster;
  }

  /** Longest wait for a permit; zero fails fast. */
  public Duration maxWait() {
    return maxWait;
  }

  /** Most per-key limiters kept. */
  public int maxKeys() {
    return maxKeys;
  }

  /** Where the limiters keep their counts; {@link RateLimiterBackend#local()} by default. */
  public RateLimiterBackend backend() {
    return backend;
  }

  @Override
  public String toString() {
    return "RateLimit{" + algorithm + " " + permits + "/" + period + ", " + scope
        + (keyHeader != null ? " " + keyHeader : "") + (cluster != null ? ", cluster " + cluster : "")
        + ", maxWait " + maxWait + (backend != LocalBackend.INSTANCE ? ", backend " + backend : "") + "}";
  }

  /** Builds a {@link RateLimit}; {@link #build()} validates. */
  public static final class Builder {
    private final Algorithm algorithm;
    private final int permits;
    private final Duration period;
    private Scope scope = Scope.GLOBAL;
    private String keyHeader;
    private String cluster;
    private Duration maxWait = Duration.ZERO;
    private int maxKeys = DEFAULT_MAX_KEYS;
    private RateLimiterBackend backend = LocalBackend.INSTANCE;

    private Builder(Algorithm algorithm, int permits, Duration period) {
      this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
      this.permits = permits;
      this.period = period;
    }

    /** One limiter for every call (the default). */
    public Builder global() {
      this.scope = Scope.GLOBAL;
      this.keyHeader = null;
      return this;
    }

    /** One limiter per cluster. */
    public Builder perCluster() {
      this.scope = Scope.CLUSTER;
      this.keyHeader = null;
      return this;
    }

    /** One limiter per value of request header {@code header}. */
    public Builder perKey(String header) {
      this.scope = Scope.KEY;
      this.keyHeader = header;
      return this;
    }

    /** Applies the limit only to calls routed to {@code cluster}. */
    public Builder cluster(String cluster) {
      this.cluster = cluster;
      return this;
    }

    /** Waits up to {@code wait} for a permit instead of failing fast. */
    public Builder maxWait(Duration wait) {
      this.maxWait = wait;
      return this;
    }

    /** Bounds the per-key limiters kept (least recently used go first). */
    public Builder maxKeys(int max) {
      this.maxKeys = max;
      return this;
    }

    /**
     * Keeps the counters in {@code backend} (default {@link RateLimiterBackend#local()}); {@link
     * #build()} asks it whether it offers this limit's algorithm.
     */
    public Builder backend(RateLimiterBackend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the bad field and its value, or from the backend's
     *     {@link RateLimiterBackend#validate}
     */
    public RateLimit build() {
      if (permits < 1 || permits > 1_000_000) {
        throw new IllegalArgumentException("permits must be in [1, 1000000], was " + permits);
      }
      if (period == null || period.compareTo(Duration.ofMillis(1)) < 0 || period.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("period must be in [PT0.001S, PT1H], was " + period);
      }
      if (scope == Scope.KEY && (keyHeader == null || keyHeader.isBlank())) {
        throw new IllegalArgumentException("keyHeader must not be empty, was " + (keyHeader == null ? "null" : "'" + keyHeader + "'"));
      }
      if (scope == Scope.KEY && !HttpTokens.isToken(keyHeader)) {
        throw new IllegalArgumentException("keyHeader must be a header name token, was '" + keyHeader + "'");
      }
      if (cluster != null && cluster.isBlank()) {
        throw new IllegalArgumentException("cluster must not be empty, was '" + cluster + "'");
      }
      if (maxWait == null || maxWait.isNegative()) {
        throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
      }
      if (maxKeys < 1) {
        throw new IllegalArgumentException("maxKeys must be >= 1, was " + maxKeys);
      }
      RateLimit limit = new RateLimit(this);
      backend.validate(limit);
      return limit;
    }
  }
}
