package dev.lbkit.okhttp;

import dev.lbkit.api.Ticker;

/**
 * The built-in backend: each limiter counts in this process, under its own monitor, with the
 * algorithms of {@link Limiter}. It holds nothing, so there is nothing to close.
 */
final class LocalBackend implements RateLimiterBackend {
  static final LocalBackend INSTANCE = new LocalBackend();

  private LocalBackend() {}

  @Override
  public RateLimiter create(RateLimit limit, String scopeKey, Ticker ticker) {
    return Limiter.create(limit);
  }

  @Override
  public String toString() {
    return "local";
  }
}
