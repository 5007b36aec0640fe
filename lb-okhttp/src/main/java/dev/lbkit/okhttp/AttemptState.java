package dev.lbkit.okhttp;

import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;

/**
 * What one attempt did on the wire, carried as a request tag and set by {@link Marker}, a
 * network interceptor: whether OkHttp had a connection to the server and was about to write the
 * request ({@link #connected}), whether that connection had carried an earlier exchange ({@link
 * #reused}), and whether writing the request body failed ({@link #writeFailed}). {@link
 * StaleConnection} reads them to tell a stale pooled connection from a failing server.
 *
 * <p>Threading: written by the thread that runs OkHttp's network chain, read by the same call's
 * thread after the attempt; the fields are volatile.
 */
final class AttemptState {
  volatile boolean connected;
  volatile boolean reused;
  volatile boolean writeFailed;

  /**
   * The network interceptor that fills each attempt's {@link AttemptState}. OkHttp's {@link
   * Connection} says nothing of its history, so the marker remembers, weakly and by identity,
   * every connection it has seen an exchange on: a connection seen before is a reused one. One
   * marker per wrapped client; it shares that client's connection pool.
   */
  static final class Marker implements Interceptor {
    /** Connections that carried an exchange, by identity ({@code RealConnection} keeps Object's equals). */
    private final Map<Connection, Boolean> seen = Collections.synchronizedMap(new WeakHashMap<>());

    @Override
    public Response intercept(Chain chain) throws IOException {
      Request request = chain.request();
      AttemptState state = request.tag(AttemptState.class);
      if (state == null) {
        return chain.proceed(request);
      }
      Connection connection = chain.connection();
      if (connection != null) {
        state.reused = seen.put(connection, Boolean.TRUE) != null;
      }
      state.connected = true;
      RequestBody body = request.body();
      if (body != null) {
        request = request.newBuilder().method(request.method(), new WatchedBody(body, state)).build();
      }
      return chain.proceed(request);
    }

    @Override
    public String toString() {
      return "lbkit attempt marker";
    }
  }

  /**
   * A request body that records a failure of its own write: the request was then never complete
   * on the wire, so no server can have processed it.
   */
  private static final class WatchedBody extends RequestBody {
    private final RequestBody delegate;
    private final AttemptState state;

    WatchedBody(RequestBody delegate, AttemptState state) {
      this.delegate = delegate;
      this.state = state;
    }

    @Override
    public MediaType contentType() {
      return delegate.contentType();
    }

    @Override
    public long contentLength() throws IOException {
      return delegate.contentLength();
    }

    @Override
    public boolean isOneShot() {
      return delegate.isOneShot();
    }

    @Override
    public boolean isDuplex() {
      return delegate.isDuplex();
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      try {
        delegate.writeTo(sink);
      } catch (IOException e) {
        state.writeFailed = true;
        throw e;
      }
    }
  }
}
