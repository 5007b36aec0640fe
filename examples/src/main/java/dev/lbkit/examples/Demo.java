package dev.lbkit.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import java.io.IOException;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The demo: four local HTTP backends, a few thousand calls through every algorithm, then a
 * backend killed mid-run.
 *
 * <p>Run from the repository root: {@code mvn -q -Pdemo -DskipTests package}.
 */
public final class Demo {

  /** Calls per algorithm: enough for a stable p99, few enough to finish in about a second. */
  static final int CALLS_PER_ALGORITHM = 2_000;

  /** Concurrent callers: enough in-flight requests for the load-aware algorithms to differ. */
  static final int CALLERS = 16;

  /** Length of the failover run. */
  static final Duration FAILOVER_RUN = Duration.ofSeconds(8);

  private Demo() {}

  /** Runs the demo. */
  public static void main(String[] args) throws Exception {
    run(System.out, CALLS_PER_ALGORITHM, FAILOVER_RUN);
  }

  /** Runs the demo with {@code calls} per algorithm and a failover run of {@code failover}. */
  static void run(PrintStream out, int calls, Duration failover) throws Exception {
    long start = System.nanoTime();
    // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm
    // and delayed ACKs add 40 ms to every answer.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    List<Backend> backends = List.of(
        Backend.start("fast", 1, 1, 0),
        Backend.start("heavy", 3, 1, 0),
        Backend.start("slow", 1, 20, 0),
        Backend.start("flaky", 1, 1, 10));
    try {
      out.println("Four local HTTP backends:");
      for (Backend b : backends) {
        out.printf("  %-6s %s  weight %d, answers in %2d ms%s%n", b.name, b.server().id(), b.weight,
            b.delayMillis, b.failEvery > 0 ? ", every " + b.failEvery + "th answer is a 503" : "");
      }
      out.printf("%n%d GET calls per algorithm from %d threads; a 503 or a refused connection is"
          + " retried on another backend.%n", calls, CALLERS);
      OkHttpClient http = new OkHttpClient.Builder()
          .connectionPool(new ConnectionPool(CALLERS * backends.size(), 1, TimeUnit.MINUTES))
          .retryOnConnectionFailure(false)
          .build();
      for (Map.Entry<String, Algorithm> a : algorithms().entrySet()) {
        try (LoadBalancer lb = LoadBalancer.builder("demo")
            .servers(backends.stream().map(Backend::server).toArray(Server[]::new))
            .algorithm(a.getValue())
            .build()) {
          compare(out, a.getKey(), lb, http, backends, calls);
        }
      }
      failover(out, http, backends, failover);
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    } finally {
      backends.forEach(Backend::kill);
    }
    out.printf("%nDone in %.1f s.%n", (System.nanoTime() - start) / 1e9);
  }

  private static Map<String, Algorithm> algorithms() {
    Map<String, Algorithm> all = new LinkedHashMap<>();
    all.put("round robin", Algorithms.roundRobin());
    return all;
  }

  /** Sends {@code calls} calls through {@code lb} and prints each backend's share and latency. */
  private static void compare(PrintStream out, String name, LoadBalancer lb, OkHttpClient http,
      List<Backend> backends, int calls) throws InterruptedException {
    backends.forEach(Backend::reset);
    Stats stats = new Stats();
    AtomicInteger remaining = new AtomicInteger(calls);
    long start = System.nanoTime();
    inParallel(CALLERS, () -> {
      while (remaining.getAndDecrement() > 0) {
        call(http, lb, stats);
      }
    });
    double seconds = (System.nanoTime() - start) / 1e9;
    int attempts = backends.stream().mapToInt(b -> b.requests.get()).sum();
    out.printf("%n%s: %d calls in %.1f s, %d failed, %d retried%n",
        name, calls, seconds, stats.failed.get(), attempts - calls + stats.failed.get());
    out.println("  backend weight  share     p50      p99  errors");
    for (Backend b : backends) {
      long[] lat = stats.latencies(b.name);
      out.printf("  %-6s %6d %5.1f%% %s %s %7d%n", b.name, b.weight,
          100.0 * b.requests.get() / Math.max(1, attempts),
          millis(percentile(lat, 0.50)), millis(percentile(lat, 0.99)), b.errors.get());
    }
  }

  /** Runs a steady load, kills a backend, brings it back, and prints what happens as it does. */
  private static void failover(PrintStream out, OkHttpClient http, List<Backend> backends,
      Duration length) throws InterruptedException {
    Backend victim = backends.get(0);
    long start = System.nanoTime();
    LoadBalancerListener events = new LoadBalancerListener() {
      @Override
      public void onHealthChanged(String cluster, Server server, HealthState previous, HealthState current) {
        if (previous.status() != current.status()) {
          out.printf("  %4.1fs  %s is now %s%n", seconds(start), nameOf(backends, server), current.reason());
        }
      }
    };
    out.printf("%nFailover: steady load, %s is killed after a quarter of the run and restarted at"
        + " half; shares per interval.%n", victim.name);
    try (LoadBalancer lb = LoadBalancer.builder("demo")
        .servers(backends.stream().map(Backend::server).toArray(Server[]::new))
        .listener(events)
        .build()) {
      StringBuilder header = new StringBuilder("  time   calls failed");
      backends.forEach(b -> header.append(String.format(" %8s", b.name)));
      out.println(header);
      backends.forEach(Backend::reset);
      Stats stats = new Stats();
      long end = start + length.toNanos();
      ExecutorService callers = Executors.newFixedThreadPool(4, daemon("demo-caller"));
      for (int i = 0; i < 4; i++) {
        callers.execute(() -> {
          while (System.nanoTime() < end) {
            call(http, lb, stats);
          }
        });
      }
      long tick = length.toNanos() / 8;
      int[] lastRequests = new int[backends.size()];
      int lastCalls = 0;
      int lastFailed = 0;
      for (int i = 1; i <= 8; i++) {
        sleepUntil(start + i * tick);
        if (i == 2) {
          victim.kill();
          out.printf("  %4.1fs  killed %s%n", seconds(start), victim.name);
        } else if (i == 4) {
          victim.restart();
          out.printf("  %4.1fs  restarted %s%n", seconds(start), victim.name);
        }
        int callsNow = stats.calls.get();
        int failedNow = stats.failed.get();
        StringBuilder row = new StringBuilder(String.format("  %4.1fs %6d %6d",
            seconds(start), callsNow - lastCalls, failedNow - lastFailed));
        int total = 0;
        int[] delta = new int[backends.size()];
        for (int k = 0; k < backends.size(); k++) {
          int now = backends.get(k).requests.get();
          delta[k] = now - lastRequests[k];
          lastRequests[k] = now;
          total += delta[k];
        }
        for (int d : delta) {
          row.append(String.format(" %7.1f%%", 100.0 * d / Math.max(1, total)));
        }
        out.println(row);
        lastCalls = callsNow;
        lastFailed = failedNow;
      }
      callers.shutdown();
      callers.awaitTermination(10, TimeUnit.SECONDS);
      for (ServerView v : lb.servers()) {
        out.printf("  %-6s %s%n", nameOf(backends, v.server()), v.health().reason());
      }
    }
  }

  /** One GET through the balancer: picks, retries a 503 or a refused connection elsewhere. */
  private static void call(OkHttpClient http, LoadBalancer lb, Stats stats) {
    long start = System.nanoTime();
    PickContext context = PickContext.EMPTY;
    stats.calls.incrementAndGet();
    for (int attempt = 0; attempt < 3; attempt++) {
      Selection selection;
      try {
        selection = lb.pick(context);
      } catch (NoAvailableServerException e) {
        break;
      }
      Server server = selection.server();
      long attemptStart = System.nanoTime();
      Request request = new Request.Builder().url("http://" + server.id() + "/work").build();
      try (Response response = http.newCall(request).execute()) {
        response.body().string();
        boolean ok = response.code() < 500;
        selection.complete(System.nanoTime() - attemptStart, ok ? Outcome.SUCCESS : Outcome.SERVER_ERROR);
        if (ok) {
          stats.record(response.header("X-Backend"), System.nanoTime() - start);
          return;
        }
      } catch (IOException e) {
        selection.complete(System.nanoTime() - attemptStart, Outcome.CONNECT_FAILURE);
      }
      context = context.toBuilder().avoid(server).build();
    }
    stats.failed.incrementAndGet();
  }

  private static String nameOf(List<Backend> backends, Server server) {
    return backends.stream().filter(b -> b.port == server.port()).map(b -> b.name).findFirst().orElse(server.id());
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

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return -1;
    }
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, index)];
  }

  private static String millis(long nanos) {
    return nanos < 0 ? "       -" : String.format("%5.1f ms", nanos / 1e6);
  }

  /** Latencies of successful calls by the backend that answered, and call counts. */
  private static final class Stats {
    final Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    void record(String backend, long nanos) {
      latencies.computeIfAbsent(backend, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(nanos);
    }

    long[] latencies(String backend) {
      List<Long> list = latencies.getOrDefault(backend, List.of());
      long[] a;
      synchronized (list) {
        a = list.stream().mapToLong(Long::longValue).toArray();
      }
      Arrays.sort(a);
      return a;
    }
  }

  /** A local HTTP backend with a fixed delay, and optionally a 503 every {@code failEvery} calls. */
  static final class Backend {
    final String name;
    final int weight;
    final int delayMillis;
    final int failEvery;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger errors = new AtomicInteger();
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

    void reset() {
      requests.set(0);
      errors.set(0);
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
        if (failEvery > 0 && n % failEvery == 0) {
          errors.incrementAndGet();
          respond(exchange, 503, "busy");
        } else {
          respond(exchange, 200, name);
        }
      } finally {
        exchange.close();
      }
    }

    private void respond(HttpExchange exchange, int code, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("X-Backend", name);
      exchange.sendResponseHeaders(code, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }
}
