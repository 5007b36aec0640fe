package dev.lbkit.okhttp;

import java.time.Duration;

/**
 * The per-call settings in force for one route: the config's, overridden field by field by the
 * cluster's {@link CallPolicy} and then the matching rule's. A null timeout means the client's
 * own (OkHttp's call timeout as {@link LbOkHttp#wrap} set it, the base client's attempt
 * timeouts). Immutable; built once per cluster and per rule target when a client is wrapped.
 */
final class CallSettings {
  final RetryPolicy retryPolicy;
  final Duration callTimeout;
  final Duration connectTimeout;
  final Duration readTimeout;
  final Duration writeTimeout;

  private CallSettings(RetryPolicy retryPolicy, Duration callTimeout, Duration connectTimeout, Duration readTimeout,
      Duration writeTimeout) {
    this.retryPolicy = retryPolicy;
    this.callTimeout = callTimeout;
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
    this.writeTimeout = writeTimeout;
  }

  /** The config's own settings; its call timeout is the client's, so it is null here. */
  static CallSettings of(LbConfig config) {
    return new CallSettings(config.retryPolicy, null, config.connectTimeout, config.readTimeout, config.writeTimeout);
  }

  /** These settings with every field {@code policy} sets replaced. */
  CallSettings with(CallPolicy policy) {
    if (policy == null || policy.equals(CallPolicy.INHERIT)) {
      return this;
    }
    return new CallSettings(
        policy.retryPolicy() != null ? policy.retryPolicy() : retryPolicy,
        policy.callTimeout() != null ? policy.callTimeout() : callTimeout,
        policy.connectTimeout() != null ? policy.connectTimeout() : connectTimeout,
        policy.readTimeout() != null ? policy.readTimeout() : readTimeout,
        policy.writeTimeout() != null ? policy.writeTimeout() : writeTimeout);
  }
}
