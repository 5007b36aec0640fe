package dev.lbkit.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.Dispatcher;
import okhttp3.Headers;
import okhttp3.OkHttpClient;

/**
 * The built-in kinds of {@link HealthCheck}: TCP connect and HTTP. A custom check is any
 * implementation of {@link HealthCheck}, typically a lambda that returns a future.
 */
public final class HealthChecks {

  private HealthChecks() {}

  /**
   * A TCP connect check: healthy when the handshake succeeds; refused, unreachable or timed out
   * fails. Cheap and non-blocking, but it proves only that something accepts connections.
   */
  public static HealthCheck tcp() {
    return TcpCheck.INSTANCE;
  }

  /** Starts an HTTP check; the default is a shallow {@code GET /health} expecting 200-299. */
  public static HttpBuilder http() {
    return new HttpBuilder();
  }

  /**
   * Builds an HTTP health check. Validated in {@link #build()}.
   *
   * <p><b>Shallow by default, on purpose.</b> A load balancer's check should answer "can this
   * process serve requests", not "are all its dependencies up". If every server's deep check
   * touches one shared database, one database outage marks every server down at once, and the
   * balancer has nothing left to send to (panic mode then spreads over all of them anyway).
   * Use shallow checks for balancing and deep checks (a JSON {@code status} field, see {@link
   * #jsonStatus}) for monitoring, or only for dependencies the server alone owns.
   *
   * <p><b>Its own client.</b> The check uses a private OkHttp client: it never goes through the
   * balancer it feeds, never follows redirects (a 3xx is judged against the expected status
   * ranges, so a redirect to another host is a failure by default), and does not retry.
   * Connections are kept alive between checks. The client's threads and connections are
   * released when the last active health check input using the check closes (a balancer closes
   * its inputs), so one check may serve several balancers; using it again starts a new client.
   */
  public static final class HttpBuilder {
    /** Default method: GET, which every health endpoint supports. */
    public static final String DEFAULT_METHOD = "GET";

    /** Default path: {@code /health}, the most common convention (Kubernetes, Dropwizard). */
    public static final String DEFAULT_PATH = "/health";

    /** Default expected statuses, 200-299: any success, as Envoy's default. */
    public static final int DEFAULT_STATUS_FROM = 200;

    /** Upper end of the default expected status range. */
    public static final int DEFAULT_STATUS_TO = 299;

    private String scheme = "http";
    private String method = DEFAULT_METHOD;
    private String path = DEFAULT_PATH;
    private final List<int[]> ranges = new ArrayList<>();
    private String bodyContains;
    private final Set<String> jsonStatuses = new LinkedHashSet<>();
    private final Headers.Builder headers = new Headers.Builder().add("User-Agent", "lbkit-health");
    private boolean https;

    private HttpBuilder() {}

    /** The request method; default {@value #DEFAULT_METHOD}. Methods with a body are sent empty. */
    public HttpBuilder method(String method) {
      this.method = Objects.requireNonNull(method, "method");
      return this;
    }

    /** The path and optional query, starting with {@code /}; default {@value #DEFAULT_PATH}. */
    public HttpBuilder path(String path) {
      this.path = Objects.requireNonNull(path, "path");
      return this;
    }

    /**
     * Adds an expected status range, inclusive. The first call replaces the default 200-299;
     * later calls add ranges.
     */
    public HttpBuilder expectStatus(int from, int to) {
      ranges.add(new int[] {from, to});
      return this;
    }

    /** Requires the body to contain {@code text}; off by default. Bodies are read up to 64 KiB. */
    public HttpBuilder bodyContains(String text) {
      this.bodyContains = Objects.requireNonNull(text, "bodyContains");
      return this;
    }

    /**
     * The seed's "deep" check: requires the first {@code "status"} string field of a JSON body
     * (Spring Boot's {@code {"status":"UP"}}) to be one of {@code accepted}. Off by default;
     * read the class comment before turning it on for balancing.
     */
    public HttpBuilder jsonStatus(String... accepted) {
      for (String s : accepted) {
        jsonStatuses.add(Objects.requireNonNull(s, "jsonStatus"));
      }
      return this;
    }

    /** Adds a request header, for example a token the health endpoint requires. */
    public HttpBuilder header(String name, String value) {
      headers.add(name, value);
      return this;
    }

    /** Uses HTTPS with the JVM's default trust; default plain HTTP. */
    public HttpBuilder https(boolean enabled) {
      this.https = enabled;
      return this;
    }

    /**
     * Validates and builds the check.
     *
     * @throws IllegalArgumentException naming the field and the value of a bad setting
     */
    public HealthCheck build() {
      if (method.isBlank() || !method.chars().allMatch(c -> c > 32 && c < 127)) {
        throw new IllegalArgumentException("method must be a non-empty token, was '" + method + "'");
      }
      if (path.isEmpty()) {
        throw new IllegalArgumentException("path must not be empty, was ''");
      }
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path must start with '/', was '" + path + "'");
      }
      List<int[]> r = new ArrayList<>();
      for (int[] range : ranges) {
        if (range[0] < 100 || range[1] > 599) {
          throw new IllegalArgumentException(
              "expectStatus must be within [100, 599], was " + range[0] + "-" + range[1]);
        }
        if (range[0] > range[1]) {
          throw new IllegalArgumentException(
              "expectStatus range must not be inverted, was " + range[0] + "-" + range[1]);
        }
        r.add(range.clone());
      }
      if (r.isEmpty()) {
        r.add(new int[] {DEFAULT_STATUS_FROM, DEFAULT_STATUS_TO});
      }
      scheme = https ? "https" : "http";
      return new HttpCheck(HttpBuilder::newClient, scheme, method, path, List.copyOf(r), bodyContains,
          Set.copyOf(jsonStatuses), headers.build());
    }

    private static OkHttpClient newClient() {
      // Daemon dispatcher threads: a health check must never keep the JVM alive after its
      // balancer closed (OkHttp's default dispatcher threads are not daemons and idle for 60 s).
      ExecutorService executor = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "lbkit-http-check");
        t.setDaemon(true);
        return t;
      });
      return new OkHttpClient.Builder()
          .dispatcher(new Dispatcher(executor))
          .followRedirects(false)
          .followSslRedirects(false)
          .retryOnConnectionFailure(false)
          // The checker's own timeout cancels the call; these only bound a runaway call of a
          // checker that was closed mid-flight.
          .callTimeout(Duration.ofMinutes(1).toMillis(), TimeUnit.MILLISECONDS)
          .build();
    }
  }
}
