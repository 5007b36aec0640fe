package dev.lbkit.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import dev.lbkit.health.ActiveHealthCheck;
import dev.lbkit.health.HealthChecks;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.health.SlowStart;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbEventListener;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.StickyPolicy;
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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
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
    OkHttpClient base = new OkHttpClient.Builder()
        // Idle connections go after a second: pooled connections to the killed backend would
        // otherwise fail their first reuse after its restart, and get it ejected once more.
        .connectionPool(new ConnectionPool(CALLERS * backends.size(), 1, TimeUnit.SECONDS))
        .build();
    try {
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
        compare(new PrintStream(OutputStream.nullOutputStream()), "warm-up", lb, base, backends, calls / 4);
      }
      for (Map.Entry<String, Algorithm> a : algorithms().entrySet()) {
        try (LoadBalancer lb = LoadBalancer.builder("demo")
            .servers(servers(backends))
            .algorithm(a.getValue())
            .build()) {
          compare(out, a.getKey(), lb, base, backends, calls);
        }
      }
      failover(out, base, backends, failover);
    } finally {
      backends.forEach(Backend::kill);
      base.connectionPool().evictAll();
      base.dispatcher().executorService().shutdown();
    }
    out.printf("%nDone in %.1f s.%n", (System.nanoTime() - start) / 1e9);
  }

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
      List<Backend> backends, int calls) throws InterruptedException {
    Attempts attempts = new Attempts(backends);
    OkHttpClient client = LbOkHttp.wrap(base, LbConfig.builder()
        .cluster("demo", lb)
        .sticky("demo", StickyPolicy.hashHeader("X-User"))   // the key of the hashing algorithms
        .listener(attempts)
        .build());
    AtomicInteger remaining = new AtomicInteger(calls);
    AtomicInteger failed = new AtomicInteger();
    long start = System.nanoTime();
    inParallel(CALLERS, () -> {
      int n;
      while ((n = remaining.getAndDecrement()) > 0) {
        if (!get(client, "user-" + n)) {
          failed.incrementAndGet();
        }
      }
    });
    double seconds = (System.nanoTime() - start) / 1e9;
    out.printf("%n%s: %d calls in %.1f s, %d failed, %d retried%n",
        name, calls, seconds, failed.get(), attempts.total() - calls);
    out.println("  backend weight  share      p50       p99  errors");
    for (int i = 0; i < backends.size(); i++) {
      Backend b = backends.get(i);
      long[] latencies = attempts.latencies(i);
      out.printf("  %-7s %6d %5.1f%% %s %s %7d%n", b.name, b.weight,
          100.0 * latencies.length / Math.max(1, attempts.total()),
          millis(percentile(latencies, 0.50)), millis(percentile(latencies, 0.99)), attempts.errors(i));
    }
  }

  /** Runs a steady load, kills a backend, restarts it, and prints what happens as it does. */
  private static void failover(PrintStream out, OkHttpClient base, List<Backend> backends,
      Duration length) throws InterruptedException {
    Backend victim = backends.get(0);
    long start = System.nanoTime();
    // When the victim was killed, taken out of rotation, restarted and taken back, in nanoTime.
    AtomicLongArray marks = new AtomicLongArray(4);
    LoadBalancerListener events = new LoadBalancerListener() {
      @Override
      public void onHealthChanged(String cluster, Server server, HealthState previous, HealthState current) {
        String name = nameOf(backends, server);
        if (server.port() == victim.port && previous.pickable() != current.pickable()) {
          int mark = current.pickable() ? 3 : 1;
          if (marks.get(mark - 1) != 0) {
            marks.compareAndSet(mark, 0, System.nanoTime());
          }
        }
        if (previous.status() != current.status()) {
          out.printf("  %5.2fs  %s is now %s%n", seconds(start), name, current.reason());
        } else if (previous.active() != current.active() && previous.active() != ActiveHealth.UNKNOWN) {
          out.printf("  %5.2fs  %s's health check says %s; it stays %s%n", seconds(start), name,
              current.active().toString().toLowerCase(Locale.ROOT), current.status().toString().toLowerCase(Locale.ROOT));
        }
      }
    };
    out.printf("%nFailover, with outlier detection, active checks and slow start: steady load;"
        + " %s is killed at %.1f s and restarted at %.1f s.%n", victim.name,
        length.toMillis() / 4000.0, length.toMillis() / 2000.0);
    try (LoadBalancer lb = LoadBalancer.builder("demo")
        .servers(servers(backends))
        .algorithm(Algorithms.powerOfTwoChoices().build())
        .healthInput(OutlierDetection.builder()
            .baseEjectionTime(Duration.ofSeconds(1))
            .build())
        // A TCP connect check: a killed backend refuses connections, so the cheapest check
        // sees it. (HealthChecks.http() would check /health instead.)
        .healthInput(ActiveHealthCheck.builder(HealthChecks.tcp())
            .interval(Duration.ofMillis(250))
            .timeout(Duration.ofMillis(200))
            .jitter(Duration.ZERO)
            .build())
        .healthInput(SlowStart.builder()
            .window(Duration.ofMillis(1500))
            .step(Duration.ofMillis(150))
            .build())
        .listener(events)
        .build()) {
      Attempts attempts = new Attempts(backends);
      OkHttpClient client = LbOkHttp.wrap(base, LbConfig.builder().cluster("demo", lb).listener(attempts).build());
      StringBuilder header = new StringBuilder("   time   calls failed");
      backends.forEach(b -> header.append(String.format(" %9s", b.name)));
      out.println(header + "   (share of attempts; errors)");
      long end = start + length.toNanos();
      AtomicInteger calls = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      ExecutorService callers = Executors.newFixedThreadPool(4, daemon("demo-caller"));
      for (int i = 0; i < 4; i++) {
        callers.execute(() -> {
          while (System.nanoTime() < end) {
            calls.incrementAndGet();
            if (!get(client, null)) {
              failed.incrementAndGet();
            }
          }
        });
      }
      long tick = length.toNanos() / FAILOVER_ROWS;
      int[] lastAttempts = new int[backends.size()];
      int[] lastErrors = new int[backends.size()];
      int lastCalls = 0;
      int lastFailed = 0;
      for (int row = 1; row <= FAILOVER_ROWS; row++) {
        sleepUntil(start + row * tick);
        int callsNow = calls.get();
        int failedNow = failed.get();
        StringBuilder line = new StringBuilder(String.format("  %5.2fs %6d %6d",
            seconds(start), callsNow - lastCalls, failedNow - lastFailed));
        int[] delta = new int[backends.size()];
        int total = 0;
        for (int k = 0; k < backends.size(); k++) {
          int now = attempts.count(k);
          delta[k] = now - lastAttempts[k];
          lastAttempts[k] = now;
          total += delta[k];
        }
        for (int k = 0; k < backends.size(); k++) {
          int errorsNow = attempts.errors(k);
          int errors = errorsNow - lastErrors[k];
          lastErrors[k] = errorsNow;
          line.append(String.format(" %4.0f%%%s", 100.0 * delta[k] / Math.max(1, total),
              errors == 0 ? "    " : String.format(" %3d", errors)));
        }
        out.println(line);
        lastCalls = callsNow;
        lastFailed = failedNow;
        if (row == FAILOVER_ROWS / 4) {
          victim.kill();
          marks.set(0, System.nanoTime());
          out.printf("  %5.2fs  killed %s: its port now refuses connections%n", seconds(start), victim.name);
        } else if (row == FAILOVER_ROWS / 2) {
          victim.restart();
          marks.set(2, System.nanoTime());
          out.printf("  %5.2fs  restarted %s%n", seconds(start), victim.name);
        }
      }
      callers.shutdown();
      callers.awaitTermination(10, TimeUnit.SECONDS);
      out.printf("%n%d of %d calls failed. %s left the rotation %s after it was killed, and came back"
          + " %s after its restart.%n", failed.get(), calls.get(), victim.name,
          between(marks.get(0), marks.get(1)), between(marks.get(2), marks.get(3)));
    }
  }

  private static String between(long from, long to) {
    return to == 0 ? "(not seen)" : String.format("%.0f ms", (to - from) / 1e6);
  }

  /** One GET through the wrapped client; true when it got a 2xx. */
  private static boolean get(OkHttpClient client, String user) {
    Request.Builder request = new Request.Builder().url("http://demo/work");
    if (user != null) {
      request.header("X-User", user);
    }
    try (Response response = client.newCall(request.build()).execute()) {
      response.body().string();
      return response.isSuccessful();
    } catch (IOException e) {
      return false;
    }
  }

  private static Server[] servers(List<Backend> backends) {
    return backends.stream().map(Backend::server).toArray(Server[]::new);
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

  private static ThreadFactory daemon(String name) {
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
    return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static String millis(long nanos) {
    return nanos < 0 ? "        -" : String.format("%6.1f ms", nanos / 1e6);
  }

  /** Counts every attempt per backend, with its latency and whether it failed. */
  private static final class Attempts implements LbEventListener {
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
