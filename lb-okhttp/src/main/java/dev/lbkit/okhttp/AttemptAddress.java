package dev.lbkit.okhttp;

import java.io.IOException;
import okhttp3.Interceptor.Chain;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One attempt, addressed by {@link AttemptAddressing}: the request as it goes to the chosen
 * server, the chain configured for it, and whether it reached that server.
 *
 * <p>Threading: proceeded by the calling thread; the wire flags are written by OkHttp's network
 * interceptor chain ({@link AttemptState.Marker}) and are volatile.
 */
final class AttemptAddress {
  private final Request request;
  private final Chain chain;
  private final AttemptState state;

  AttemptAddress(Request request, Chain chain, AttemptState state) {
    this.request = request;
    this.chain = chain;
    this.state = state;
  }

  /** Sends the attempt. */
  Response proceed() throws IOException {
    return chain.proceed(request);
  }

  /**
   * Whether OkHttp had a connection to the server and was about to write the request. Until
   * then the request certainly never reached a server, so even a POST may be retried.
   */
  boolean reachedServer() {
    return state.connected;
  }

  /** Whether the attempt ran on a pooled connection that had carried an earlier exchange. */
  boolean reusedConnection() {
    return state.reused;
  }

  /** Whether writing the request body failed: the request was incomplete on the wire. */
  boolean writeFailed() {
    return state.writeFailed;
  }
}
