package dev.lbkit.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbEventListener;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.micrometer.LbMetrics;
import dev.lbkit.okhttp.StickyPolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The demo: four local HTTP backends, a few thousand OkHttp calls through every algorithm, then
 * a backend killed mid-run to show failover, ejection and recovery as they happen.
 *
 * <p>Run from the repository root: {@code mvn -q -Pdemo -DskipTests package}.
 *
 * <p>Every call goes to {@code http://demo/work} through an OkHttp client wrapped by {@link
 * LbOkHttp#wrap}: the logical host {@code demo} names the cluster, and lbkit picks a backend per
 * attempt, retries a 503 or a refused connection on another backend, and reports each attempt
 * to the balancer. The tables count attempts per backend through an {@link LbEventListener}.
 *
 * <p>While it runs, a Prometheus endpoint on a loopback port ({@link MetricsEndpoint}) serves the
 * meters of lb-micrometer's {@link LbMetrics}: the client's from every table, the balancer's from
 * the failover run. The demo prints its URL first and a few of its series last.
 */
public final class Demo {

  /** Calls per algorithm: enough for a stable p99, few enough to take about a second. */
  static final int CALLS_PER_ALGORITHM = 2_000;

  /** Concurrent callers: enough requests in flight for the load-aware algorithms to differ. */
  static final int CALLERS = 16;

  /** Length of the failover run: time to eject, re-admit and ramp a backend up again. */
  static final Duration FAILOVER_RUN = Duration.ofSeconds(6);

  /** Rows of the failover timeline. */
  static final int FAILOVER_ROWS = 12;

  private Demo() {}

  /** Runs the demo. */
  public static void main(String[] args) throws Exception {
    run(System.out, CALLS_PER_ALGORITHM, FAILOVER_RUN);
  }

  /** Runs the demo with {@code calls} per algorithm and a failover run of {@code failover}. */
  static void run(PrintStream out, int calls, Duration failover) throws Exception {
    long start = System.nanoTime();
    // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm
    // and delayed ACKs would add 40 ms to every answer.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    List<Backend> backends = List.of(
        Backend.start("fast", 1, 1, 0),
        Backend.start("heavy", 3, 1, 0),
        Backend.start("slow", 1, 20, 0),
        Backend.start("flaky", 1, 1, 10));
    MetricsEndpoint metrics = MetricsEndpoint.start(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    LbMetrics lbMetrics = LbMetrics.of(metrics.registry());
    OkHttpClient base = new OkHttpClient.Builder()
        // Idle connections go after a second: pooled connections to the killed backend would
        // otherwise fail their first reuse after its restart, and get it ejected once more.
        .connectionPool(new ConnectionPool(CALLERS * backends.size(), 1, TimeUnit.SECONDS))
        .build();
    try {
      out.printf("Prometheus metrics while the demo runs: %s%n%n", metrics.url());
      out.println("Four local HTTP backends:");
      for (Backend b : backends) {
        out.printf("  %-6s %-16s weight %d, answers in %2d ms%s%n", b.name, b.server().id(), b.weight,
            b.delayMillis, b.failEvery > 0 ? ", every " + b.failEvery + "th answer is a 503" : "");
      }
      out.printf("%n%d GETs of http://demo/work per algorithm, %d at a time, through"
          + " LbOkHttp.wrap(client, config).%nlbkit retries a 503 or a refused connection on"
          + " another backend; \"errors\" counts those attempts.%nThe hashing algorithms hash"
          + " each call's X-User header, a different user per call.%n", calls, CALLERS);
      // A cold JVM would make the first table's latencies look worse than the others'.
      try (LoadBalancer lb = LoadBalancer.builder("demo").servers(servers(backends)).build()) {
        compare(new PrintStream(OutputStream.nullOutputStream()), "warm-up", lb, base, backends, calls / 4,
            LbEventListener.NONE);
      }
      for (Map.Entry<String, Algorithm> a : algorithms().entrySet()) {
        try (LoadBalancer lb = LoadBalancer.builder("demo")
            .servers(servers(backends))
            .algorithm(a.getValue())
            .build()) {
          compare(out, a.getKey(), lb, base, backends, calls, lbMetrics.listener());
        }
      }
      new FailoverDemo(out, backends, failover, lbMetrics).run(base);
      out.printf("%nA few series of the scrape (%s):%n", metrics.url());
      for (String line : metrics.series(SCRAPE_EXCERPT)) {
        if (!(line.contains("_total{") && line.endsWith(" 0.0"))) {
          out.println("  " + line);
        }
      }
    } finally {
      metrics.close();
      backends.forEach(Backend::kill);
      base.connectionPool().evictAll();
      base.dispatcher().executorService().shutdown();
    }
    out.printf("%nDone in %.1f s.%n", (System.nanoTime() - start) / 1e9);
  }

  /** The series the demo prints at its end: OpenTelemetry's call timer and lbkit's own meters. */
  static final List<String> SCRAPE_EXCERPT = List.of(
      "http_client_request_duration_seconds_count",
      "lbkit_client_attempt_duration_seconds_count{cluster=\"demo\",outcome=\"connect_failure\"",
      "lbkit_client_retries_total",
      "lbkit_lb_requests_total{algorithm=\"power-of-two-choices\"",
      "lbkit_lb_servers{",
      "lbkit_lb_ejections_total",
      "lbkit_lb_readmissions_total",
      "lbkit_lb_active_checks_total",
      "lbkit_lb_panic");

  private static Map<String, Algorithm> algorithms() {
    Map<String, Algorithm> all = new LinkedHashMap<>();
    all.put("round robin", Algorithms.roundRobin());
    all.put("smooth weighted round robin", Algorithms.smoothWeightedRoundRobin());
    all.put("random", Algorithms.random());
    all.put("weighted random", Algorithms.weightedRandom());
    all.put("least connections", Algorithms.leastConnections());
    all.put("weighted least connections", Algorithms.weightedLeastConnections());
    all.put("power of two choices", Algorithms.powerOfTwoChoices().build());
    all.put("least response time (Peak EWMA)", Algorithms.leastResponseTime().build());
    all.put("ring hash (X-User hash)", Algorithms.ringHash().build());
    all.put("maglev (X-User hash)", Algorithms.maglev().build());
    all.put("bounded-load hash (X-User hash)", Algorithms.boundedLoadHash().build());
    all.put("rendezvous (X-User hash)", Algorithms.rendezvous());
    return all;
  }

  /** Sends {@code calls} calls through {@code lb} and prints each backend's share and latency. */
  private static void compare(PrintStream out, String name, LoadBalancer lb, OkHttpClient base,
      List<Backend> backends, int calls, LbEventListener metrics) throws InterruptedException {
    Attempts attempts = new Attempts(backends);
    OkHttpClient client = LbOkHttp.wrap(base, LbConfig.builder()
        .cluster("demo", lb)
        .sticky("demo", StickyPolicy.hashHeader("X-User"))   // the key of the hashing algorithms
        .listener(LbEventListener.of(attempts, metrics))
        .build());
    AtomicInteger remaining = new AtomicInteger(calls);
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    long start = System.nanoTime();
    inParallel(CALLERS, () -> {
      int n;
      while ((n = remaining.getAndDecrement()) > 0) {
        String failure = get(client, "user-" + n);
        if (failure != null) {
          failed.incrementAndGet();
          firstFailure.compareAndSet(null, failure);
        }
      }
    });
    double seconds = (System.nanoTime() - start) / 1e9;
    out.printf("%n%s: %d calls in %.1f s, %d failed, %d retried%n",
        name, calls, seconds, failed.get(), attempts.total() - calls);
    if (firstFailure.get() != null) {
      out.printf("  the first failed call: %s%n", firstFailure.get());
    }
    out.println("  backend weight  share      p50       p99  errors");
    for (int i = 0; i < backends.size(); i++) {
      Backend b = backends.get(i);
      long[] latencies = attempts.latencies(i);
      out.printf("  %-7s %6d %5.1f%% %s %s %7d%n", b.name, b.weight,
          100.0 * latencies.length / Math.max(1, attempts.total()),
          millis(percentile(latencies, 0.50)), millis(percentile(latencies, 0.99)), attempts.errors(i));
    }
  }

  /** One GET through the wrapped client: null on a 2xx, else the status or the exception. */
  static String get(OkHttpClient client, String user) {
    Request.Builder request = new Request.Builder().url("http://demo/work");
    if (user != null) {
      request.header("X-User", user);
    }
    try (Response response = client.newCall(request.build()).execute()) {
      response.body().string();
      return response.isSuccessful() ? null
          : "HTTP " + response.code() + " from " + response.request().url();
    } catch (IOException e) {
      return e.toString();
    }
  }

  static Server[] servers(List<Backend> backends) {
    return backends.stream().map(Backend::server).toArray(Server[]::new);
  }

  private static void inParallel(int threads, Runnable body) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(threads, daemon("demo-caller"));
    for (int i = 0; i < threads; i++) {
      pool.execute(body);
    }
    pool.shutdown();
    if (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
      throw new IllegalStateException("calls did not finish within a minute");
    }
  }

  static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return -1;
    }
    return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static String millis(long nanos) {
    return nanos < 0 ? "        -" : String.format("%6.1f ms", nanos / 1e6);
  }

  /** Counts every attempt per backend, with its latency and whether it failed. */
  static final class Attempts implements LbEventListener {
    private final List<Backend> backends;
    private final List<List<Long>> latencies = new ArrayList<>();
    private final AtomicInteger[] counts;
    private final AtomicInteger[] errors;

    Attempts(List<Backend> backends) {
      this.backends = backends;
      this.counts = new AtomicInteger[backends.size()];
      this.errors = new AtomicInteger[backends.size()];
      for (int i = 0; i < backends.size(); i++) {
        latencies.add(new ArrayList<>());
        counts[i] = new AtomicInteger();
        errors[i] = new AtomicInteger();
      }
    }

    @Override
    public void attemptFinished(
        Call call, String cluster, Server server, int attempt, Outcome outcome, long latencyNanos) {
      for (int i = 0; i < backends.size(); i++) {
        if (backends.get(i).port == server.port()) {
          List<Long> list = latencies.get(i);
          synchronized (list) {
            list.add(latencyNanos);
          }
          counts[i].incrementAndGet();
          if (outcome != Outcome.SUCCESS) {
            errors[i].incrementAndGet();
          }
        }
      }
    }

    int total() {
      return Arrays.stream(counts).mapToInt(AtomicInteger::get).sum();
    }

    int count(int backend) {
      return counts[backend].get();
    }

    int errors(int backend) {
      return errors[backend].get();
    }

    long[] latencies(int backend) {
      List<Long> list = latencies.get(backend);
      long[] sorted;
      synchronized (list) {
        sorted = list.stream().mapToLong(Long::longValue).toArray();
      }
      Arrays.sort(sorted);
      return sorted;
    }
  }

  /** A local HTTP backend with a fixed delay, and optionally a 503 every {@code failEvery} calls. */
  static final class Backend {
    final String name;
    final int weight;
    final int delayMillis;
    final int failEvery;
    private final AtomicInteger requests = new AtomicInteger();
    private int port;
    private volatile HttpServer http;
    private volatile ExecutorService pool;

    private Backend(String name, int weight, int delayMillis, int failEvery) {
      this.name = name;
      this.weight = weight;
      this.delayMillis = delayMillis;
      this.failEvery = failEvery;
    }

    /** Starts a backend on a free loopback port. */
    static Backend start(String name, int weight, int delayMillis, int failEvery) {
      Backend b = new Backend(name, weight, delayMillis, failEvery);
      b.listen(0);
      return b;
    }

    Server server() {
      return Server.builder("127.0.0.1", port).weight(weight).build();
    }

    int port() {
      return port;
    }

    /** Stops listening: new connections are refused, open ones are closed. */
    void kill() {
      HttpServer h = http;
      if (h != null) {
        http = null;
        h.stop(0);
        pool.shutdownNow();
      }
    }

    /** Listens again on the same port. */
    void restart() {
      listen(port);
    }

    private void listen(int onPort) {
      try {
        HttpServer server =
            HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 128);
        pool = Executors.newFixedThreadPool(CALLERS, daemon("backend-" + name));
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
        http = server;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void handle(HttpExchange exchange) throws IOException {
      try {
        if (exchange.getRequestURI().getPath().equals("/health")) {
          respond(exchange, 200, "ok");
          return;
        }
        int n = requests.incrementAndGet();
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        respond(exchange, failEvery > 0 && n % failEvery == 0 ? 503 : 200, name);
      } finally {
        exchange.close();
      }
    }

    private void respond(HttpExchange exchange, int code, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(code, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }
}
