package dev.lbkit.okhttp;

import dev.lbkit.api.Outcome;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import okhttp3.Response;

/**
 * Turns what an attempt produced into the {@link Outcome} reported to the balancer (and so to
 * health checking and latency-aware algorithms). It also decides which responses are retried:
 * only a {@link Outcome#SERVER_ERROR} whose status is in the retry policy's set.
 */
public interface OutcomeClassifier {

  /**
   * The default: a 5xx response is {@link Outcome#SERVER_ERROR}, any other status (2xx to 4xx,
   * a 4xx being the client's fault) is {@link Outcome#SUCCESS}; a refused or unroutable
   * connection, a DNS failure or a TLS failure is {@link Outcome#CONNECT_FAILURE}; a socket or
   * call timeout is {@link Outcome#TIMEOUT}; any other I/O error is {@link Outcome#IO_ERROR}.
   */
  OutcomeClassifier DEFAULT =
      new OutcomeClassifier() {
        @Override
        public Outcome classify(Response response) {
          return response.code() >= 500 ? Outcome.SERVER_ERROR : Outcome.SUCCESS;
        }

        @Override
        public Outcome classify(IOException failure) {
          if (failure instanceof ConnectException
              || failure instanceof NoRouteToHostException
              || failure instanceof PortUnreachableException
              || failure instanceof UnknownHostException
              || failure instanceof SSLException) {
            return Outcome.CONNECT_FAILURE;
          }
          if (failure instanceof InterruptedIOException) {
            // SocketTimeoutException (connect, read, write) and OkHttp's call timeout.
            return Outcome.TIMEOUT;
          }
          return Outcome.IO_ERROR;
        }

        @Override
        public String toString() {
          return "OutcomeClassifier.DEFAULT";
        }
      };

  /** The outcome of an attempt that returned {@code response} (headers received). */
  Outcome classify(Response response);

  /** The outcome of an attempt that failed with {@code failure} (never called for cancellations). */
  Outcome classify(IOException failure);
}
