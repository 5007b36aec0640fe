package dev.lbkit.okhttp;

import okhttp3.OkHttpClient;

/**
 * What the reliability suite reads of a wrapped client's internals that the public API does not
 * show: the sizes of its bounded caches. Test code only, in lb-okhttp's package for that reason.
 */
public final class LbInternals {

  private LbInternals() {}

  /** Learned application-cookie sessions of {@code cluster}, after the cache's pending maintenance. */
  public static long stickySessions(OkHttpClient client, String cluster) {
    StickyState sticky = LbOkHttp.interceptor(client).sticky(cluster);
    sticky.sessions().cleanUp();
    return sticky.sessions().estimatedSize();
  }

  /** Per-key limiters of the {@code index}-th rate limit, after the cache's pending maintenance. */
  public static long rateLimitKeys(OkHttpClient client, int index) {
    RateLimitGate gate = LbOkHttp.interceptor(client).gates().get(index);
    gate.perKeyCache().cleanUp();
    return gate.perKeyCache().estimatedSize();
  }
}
