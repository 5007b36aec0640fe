package dev.lbkit.okhttp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;

/**
 * Tells a stale pooled connection from a failing server. An HTTP/1.1 connection that sat in the
 * pool may have been closed by the server (an idle timeout, a restart, a load balancer in
 * between) without the client noticing: the next request's write usually succeeds, and the read
 * then fails with an end of stream or a reset before the first response byte. OkHttp's silent
 * retry would resend it on a new connection, but that retry is off for balanced attempts (it
 * would also resend a POST), so lbkit applies the rule itself, in {@link BalancedCall}:
 *
 * <ul>
 *   <li><b>Stale:</b> the attempt ran on a <em>reused</em> connection ({@link AttemptState.Marker}
 *       had seen an exchange on it) and failed before its response headers arrived with an end of
 *       stream or a socket error (reset, broken pipe), not a timeout and not a cancel. Its
 *       selection is completed as {@link dev.lbkit.api.Outcome#CANCELLED}: the server is not
 *       blamed, outlier detection and the retry throttle do not count it.
 *   <li><b>Idempotent requests</b> after a stale failure are retried on a <em>fresh</em>
 *       connection (a connection pool that keeps none, so no other pooled connection can be stale
 *       too): on another server when one is left, since a stopped server also closes its
 *       connections, else on the same server.
 *   <li><b>Other requests (POST, PATCH)</b> are retried only when the request provably never left
 *       the client: no connection was reached, or writing the request body failed (the request
 *       was incomplete on the wire, so no server can have processed it). A failure after the
 *       request was written, even on a stale connection, ends the call: no POST runs twice.
 * </ul>
 *
 * <p>OkHttp exposes no count of response bytes before the headers are complete, so "zero response
 * bytes" is approximated by "no response headers": a server that sent half a status line and
 * then closed a reused connection counts as stale too, which for an idempotent request costs one
 * fresh-connection retry. A body whose whole content fits OkHttp's buffer is written to the
 * socket only when the request is flushed; a failure of that flush counts as written (the safe
 * side), so a small POST on a stale connection fails rather than risk running twice.
 *
 * <p>The same rule is OkHttp's ({@code RetryAndFollowUpInterceptor.recover}: a failure before
 * the request was sent is recoverable; one after is recoverable only when the request may be
 * repeated) and Envoy's {@code reset-before-request} retry policy.
 */
final class StaleConnection {

  private StaleConnection() {}

  /** Whether {@code failure}, before any response headers, looks like a connection the server had closed. */
  static boolean looksClosed(IOException failure) {
    if (failure instanceof InterruptedIOException) {
      return false; // a timeout (SocketTimeoutException) or an interrupt: the server was slow, or the caller gave up
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof EOFException || t instanceof SocketException) {
        return true;
      }
      String m = t.getMessage();
      if (m != null && m.startsWith("unexpected end of stream")) {
        return true;
      }
    }
    return false;
  }
}
