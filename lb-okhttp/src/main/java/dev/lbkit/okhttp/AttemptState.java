package dev.lbkit.okhttp;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Per-attempt flag, carried as a request tag: set by {@link Marker}, a network interceptor, the
 * moment OkHttp has a connection to the server and is about to write the request. Until then
 * the request certainly never reached a server, so even a POST may be retried.
 */
final class AttemptState {
  volatile boolean connected;

  /** The network interceptor that flips {@link AttemptState#connected}. */
  static final class Marker implements Interceptor {
    static final Marker INSTANCE = new Marker();

    @Override
    public Response intercept(Chain chain) throws IOException {
      AttemptState state = chain.request().tag(AttemptState.class);
      if (state != null) {
        state.connected = true;
      }
      return chain.proceed(chain.request());
    }

    @Override
    public String toString() {
      return "lbkit attempt marker";
    }
  }
}
