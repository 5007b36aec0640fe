package dev.lbkit.health;

import dev.lbkit.api.Server;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * HTTP check on its own OkHttp client: never goes through a balancer and never follows
 * redirects (a 3xx is judged by the expected status ranges like any other status).
 * Asynchronous: the call is enqueued, and cancelling the future (the checker's timeout)
 * cancels the call, so a server that accepts and never answers holds nothing but one socket
 * until the timeout.
 *
 * <p><b>Lifecycle.</b> The client (dispatcher threads, kept-alive connections) is created on the
 * first check. Each active health check input that uses this check {@link #retain}s it when it
 * starts and {@link #release}s it when it closes; the last release shuts the client down. One
 * check may serve several balancers, so no single input may close it for the others. A check
 * used again after that, or after {@link #close}, creates a new client.
 */
final class HttpCheck implements HealthCheck, AutoCloseable {

  /** Bodies are read only up to this size: a health endpoint that returns more is misusing it. */
  static final long MAX_BODY_BYTES = 64 * 1024;

  private static final Pattern JSON_STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([^\"]*)\"");

  private final Supplier<OkHttpClient> newClient;
  private final String scheme;
  private final String method;
  private final String path;
  private final List<int[]> statusRanges;
  private final String bodyContains;
  private final Set<String> jsonStatuses;
  private final Headers headers;

  private final Object lock = new Object();
  // Guarded by lock: null until the first check, and again once released.
  private OkHttpClient client;
  private int users;

  HttpCheck(
      Supplier<OkHttpClient> newClient,
      String scheme,
      String method,
      String path,
      List<int[]> statusRanges,
      String bodyContains,
      Set<String> jsonStatuses,
      Headers headers) {
    this.newClient = newClient;
    this.scheme = scheme;
    this.method = method;
    this.path = path;
    this.statusRanges = statusRanges;
    this.bodyContains = bodyContains;
    this.jsonStatuses = jsonStatuses;
    this.headers = headers;
  }

  @Override
  public CompletableFuture<CheckResult> check(Server server) {
    CompletableFuture<CheckResult> result = new CompletableFuture<>();
    HttpUrl url = HttpUrl.parse(scheme + "://" + server.id() + path);
    if (url == null) {
      result.complete(CheckResult.unhealthy(method + " " + path + " has an invalid URL for " + server.id()));
      return result;
    }
    Request request = new Request.Builder().url(url).headers(headers).method(method, null).build();
    Call call = client().newCall(request);
    result.whenComplete((r, t) -> {
      if (result.isCancelled()) {
        call.cancel();
      }
    });
    call.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            result.complete(CheckResult.unhealthy(method + " " + path + " failed: " + TcpCheck.describe(e)));
          }

          @Override
          public void onResponse(Call c, Response response) {
            try (response) {
              result.complete(judge(response));
            } catch (IOException | RuntimeException e) {
              result.complete(
                  CheckResult.unhealthy(method + " " + path + " failed reading the body: " + TcpCheck.describe(e)));
            }
          }
        });
    return result;
  }

  private CheckResult judge(Response response) throws IOException {
    int code = response.code();
    String what = method + " " + path + " returned " + code;
    if (!expected(code)) {
      return CheckResult.unhealthy(what + ", expected " + describeRanges());
    }
    if (bodyContains == null && jsonStatuses.isEmpty()) {
      return CheckResult.healthy(what);
    }
    String body = response.peekBody(MAX_BODY_BYTES).string();
    if (bodyContains != null && !body.contains(bodyContains)) {
      return CheckResult.unhealthy(what + " without '" + bodyContains + "' in the body");
    }
    if (!jsonStatuses.isEmpty()) {
      Matcher m = JSON_STATUS.matcher(body);
      if (!m.find()) {
        return CheckResult.unhealthy(what + " without a JSON status field");
      }
      if (!jsonStatuses.contains(m.group(1))) {
        return CheckResult.unhealthy(what + " with status '" + m.group(1) + "'");
      }
      return CheckResult.healthy(what + " with status '" + m.group(1) + "'");
    }
    return CheckResult.healthy(what);
  }

  private boolean expected(int code) {
    for (int[] r : statusRanges) {
      if (code >= r[0] && code <= r[1]) {
        return true;
      }
    }
    return false;
  }

  private String describeRanges() {
    StringBuilder sb = new StringBuilder();
    for (int[] r : statusRanges) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(r[0] == r[1] ? String.valueOf(r[0]) : r[0] + "-" + r[1]);
    }
    return sb.toString();
  }

  private OkHttpClient client() {
    synchronized (lock) {
      if (client == null) {
        client = newClient.get();
      }
      return client;
    }
  }

  /** The client now, or null before the first check and after a release; for tests. */
  OkHttpClient currentClient() {
    synchronized (lock) {
      return client;
    }
  }

  /** Registers one more user: an active health check input that started. */
  void retain() {
    synchronized (lock) {
      users++;
    }
  }

  /** Unregisters a user; the last one to leave shuts the client down. */
  void release() {
    OkHttpClient released;
    synchronized (lock) {
      if (users > 0) {
        users--;
      }
      if (users > 0 || client == null) {
        return;
      }
      released = client;
      client = null;
    }
    shutDown(released);
  }

  /**
   * Cancels running checks, stops the dispatcher's threads and closes the kept-alive
   * connections, whoever still uses the check; a later check creates a new client.
   */
  @Override
  public void close() {
    OkHttpClient released;
    synchronized (lock) {
      released = client;
      client = null;
    }
    if (released != null) {
      shutDown(released);
    }
  }

  private static void shutDown(OkHttpClient c) {
    c.dispatcher().cancelAll();
    c.dispatcher().executorService().shutdown();
    c.connectionPool().evictAll();
  }

  @Override
  public String toString() {
    return "http " + method + " " + path + " expecting " + describeRanges();
  }
}
