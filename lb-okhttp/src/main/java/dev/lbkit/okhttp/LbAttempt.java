package dev.lbkit.okhttp;

import dev.lbkit.api.Server;
import java.util.List;
import okhttp3.Call;
import okhttp3.Request;

/**
 * One attempt of a balanced call, as {@link LbEventListener} sees it: the call, the logical
 * request, the cluster, the server picked, the attempt's number, the algorithm, why it is a
 * retry, and why this server. The same instance is handed to {@link
 * LbEventListener#attemptSending} and {@link LbEventListener#attemptEnded}, so a listener may key
 * per-attempt state (a span) on it by identity.
 *
 * <p>Immutable; equal only to itself. Built only when a listener other than {@link LbEventListener#NONE} is set.
 */
public final class LbAttempt {
  private final Call call;
  private final Request request;
  private final String cluster;
  private final Server server;
  private final int number;
  private final String algorithm;
  private final String retryReason;
  private final List<Server> avoided;
  private final String affinity;

  LbAttempt(Call call, Request request, String cluster, Server server, int number, String algorithm,
      String retryReason, List<Server> avoided, String affinity) {
    this.call = call;
    this.request = request;
    this.cluster = cluster;
    this.server = server;
    this.number = number;
    this.algorithm = algorithm;
    this.retryReason = retryReason;
    this.avoided = avoided.isEmpty() ? List.of() : List.copyOf(avoided);
    this.affinity = affinity;
  }

  /** The OkHttp call. */
  public Call call() {
    return call;
  }

  /** The logical request, as the caller (or a followed redirect) asked for it: its host is the logical host. */
  public Request request() {
    return request;
  }

  /** The cluster's name as configured. */
  public String cluster() {
    return cluster;
  }

  /** The server this attempt goes to. */
  public Server server() {
    return server;
  }

  /** The attempt's number, from 1. */
  public int number() {
    return number;
  }

  /**
   * The name of the algorithm that picked the server ({@code Algorithm.name()}, such as {@code
   * power-of-two-choices}), or the picker's class name when the cluster's picker is not a {@code LoadBalancer}.
   */
  public String algorithm() {
    return algorithm;
  }

  /**
   * Why this attempt is a retry, as {@link LbEventListener#retryScheduled} said (for example
   * {@code status 503}, {@code IO_ERROR} or {@code not sent (IO_ERROR)}); null for the first
   * attempt. The values come from a small set: outcomes and status codes.
   */
  public String retryReason() {
    return retryReason;
  }

  /** The servers the pick avoided because earlier attempts of this call tried them; empty on the first attempt. */
  public List<Server> avoided() {
    return avoided;
  }

  /**
   * Why this server, in words, for a trace: for example {@code picked 10.0.0.2:8080 by power-of-two-choices;
   * avoided 10.0.0.1:8080 (tried)}, or {@code picked 10.0.0.3:8080 by sticky cookie}. Built on
   * each call of this method.
   */
  public String decision() {
    StringBuilder sb = new StringBuilder("picked ").append(server.id()).append(" by ");
    sb.append(affinity != null ? affinity : algorithm);
    if (!avoided.isEmpty()) {
      sb.append("; avoided ");
      for (int i = 0; i < avoided.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        sb.append(avoided.get(i).id());
      }
      sb.append(" (tried)");
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return cluster + " attempt " + number + ": " + decision() + (retryReason == null ? "" : "; retry after " + retryReason);
  }
}
