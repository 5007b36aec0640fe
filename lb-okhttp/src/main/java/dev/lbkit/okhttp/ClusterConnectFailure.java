package dev.lbkit.okhttp;

import dev.lbkit.api.Server;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.util.List;

/**
 * The final failure of a balanced call, named after the cluster when no server of it could be
 * connected to: OkHttp's own message names only the last address ("Failed to connect to
 * user-service/127.0.0.1:8081"), which tells an operator neither the cluster nor how many
 * servers were tried. The copy keeps the class ({@link ConnectException}, {@link
 * NoRouteToHostException}, {@link SocketTimeoutException}), so callers and classifiers that
 * test the type still work, and has the original as its cause. Other failures (TLS, a
 * connection reset after sending, timeouts of a connected exchange) are returned unchanged:
 * their messages and types are what callers match on.
 */
final class ClusterConnectFailure {

  private ClusterConnectFailure() {}

  /**
   * The failure to throw for {@code failure}, the last attempt's, after the servers {@code
   * tried} (the last one included) of {@code cluster}; {@code reachedServer} says whether that
   * attempt was connected.
   */
  static IOException of(String cluster, IOException failure, List<Server> tried, boolean reachedServer) {
    if (reachedServer) {
      return failure;
    }
    IOException named;
    String message = cluster + ": could not connect to " + tried.get(tried.size() - 1).id() + " (servers tried: "
        + ids(tried) + "): " + failure.getMessage();
    if (failure instanceof ConnectException) {
      named = new ConnectException(message);
    } else if (failure instanceof NoRouteToHostException) {
      named = new NoRouteToHostException(message);
    } else if (failure instanceof SocketTimeoutException) {
      named = new SocketTimeoutException(message);
    } else {
      return failure;
    }
    named.initCause(failure);
    return named;
  }

  private static String ids(List<Server> servers) {
    StringBuilder b = new StringBuilder();
    for (Server s : servers) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(s.id());
    }
    return b.toString();
  }
}
