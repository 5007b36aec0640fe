package dev.lbkit.okhttp;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-call settings that a cluster ({@link LbConfig.Builder#callPolicy}) or a routing rule
 * ({@link RouteRule.Builder#callPolicy}) may override: the retry policy, the call timeout and the
 * attempt timeouts. Every setting left unset is inherited: a rule's policy wins over its cluster's,
 * a cluster's over the config's ({@link LbConfig.Builder#retryPolicy}, {@link
 * LbConfig.Builder#callTimeout}, {@link LbConfig.Builder#attemptTimeouts}), field by field.
 * Immutable.
 *
 * <pre>{@code
 * LbConfig.builder()
 *     .callTimeout(Duration.ofSeconds(5))                       // every call
 *     .cluster("payments", payments)
 *     .callPolicy("payments", CallPolicy.builder().retryPolicy(RetryPolicy.NONE).build())
 *     .rule(RouteRule.builder().host("reports").pathPrefix("/export/").toCluster("reports")
 *         .callPolicy(CallPolicy.builder().callTimeout(Duration.ofMinutes(2)).build()).build())
 * }</pre>
 *
 * <p><b>Call timeout.</b> The route of a call's first request decides its call timeout, longer
 * or shorter than the client's; redirects keep it. lbkit re-arms OkHttp's own call timer, so the
 * timeout bounds the whole call, reading the body included, and fails it as OkHttp does ({@code
 * InterruptedIOException("timeout")}). A timeout set on the {@code Call} itself ({@code
 * call.timeout().timeout(...)}) wins over every policy.
 *
 * <p><b>Retry budget.</b> Each cluster keeps one budget, sized by its own retry policy (the
 * cluster's, else the config's); a rule's retry policy changes attempts, backoff, methods and
 * statuses, and its retries still draw on the cluster's budget.
 */
public final class CallPolicy {

  /** A policy that overrides nothing. */
  public static final CallPolicy INHERIT = builder().build();

  private final RetryPolicy retryPolicy;
  private final Duration callTimeout;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final Duration writeTimeout;

  private CallPolicy(Builder b) {
    this.retryPolicy = b.retryPolicy;
    this.callTimeout = b.callTimeout;
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.writeTimeout = b.writeTimeout;
  }

  /** A builder that overrides nothing yet. */
  public static Builder builder() {
    return new Builder();
  }

  /** The retry policy, or null when inherited. */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /** The call timeout, or null when inherited. */
  public Duration callTimeout() {
    return callTimeout;
  }

  /** The per-attempt connect timeout, or null when inherited. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** The per-attempt read timeout, or null when inherited. */
  public Duration readTimeout() {
    return readTimeout;
  }

  /** The per-attempt write timeout, or null when inherited. */
  public Duration writeTimeout() {
    return writeTimeout;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CallPolicy)) {
      return false;
    }
    CallPolicy p = (CallPolicy) o;
    return Objects.equals(retryPolicy, p.retryPolicy)
        && Objects.equals(callTimeout, p.callTimeout)
        && Objects.equals(connectTimeout, p.connectTimeout)
        && Objects.equals(readTimeout, p.readTimeout)
        && Objects.equals(writeTimeout, p.writeTimeout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(retryPolicy, callTimeout, connectTimeout, readTimeout, writeTimeout);
  }

  @Override
  public String toString() {
    return "CallPolicy{retryPolicy=" + orInherited(retryPolicy) + ", callTimeout=" + orInherited(callTimeout)
        + ", connectTimeout=" + orInherited(connectTimeout) + ", readTimeout=" + orInherited(readTimeout)
        + ", writeTimeout=" + orInherited(writeTimeout) + "}";
  }

  private static String orInherited(Object value) {
    return value == null ? "inherited" : value.toString();
  }

  /** Builds a {@link CallPolicy}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private RetryPolicy retryPolicy;
    private Duration callTimeout;
    private Duration connectTimeout;
    private Duration readTimeout;
    private Duration writeTimeout;

    private Builder() {}

    /** The retry policy; null inherits it. */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = policy;
      return this;
    }

    /** The call timeout, in (0, 24 h]; null inherits it. */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = timeout;
      return this;
    }

    /** Per-attempt connect, read and write timeouts, each in (0, 24 h]; a null one is inherited. */
    public Builder attemptTimeouts(Duration connect, Duration read, Duration write) {
      this.connectTimeout = connect;
      this.readTimeout = read;
      this.writeTimeout = write;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the bad field and its value
     */
    public CallPolicy build() {
      LbConfig.checkTimeout("callTimeout", callTimeout);
      LbConfig.checkTimeout("connectTimeout", connectTimeout);
      LbConfig.checkTimeout("readTimeout", readTimeout);
      LbConfig.checkTimeout("writeTimeout", writeTimeout);
      return new CallPolicy(this);
    }
  }
}
