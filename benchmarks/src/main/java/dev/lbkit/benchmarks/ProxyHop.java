package dev.lbkit.benchmarks;

import dev.lbkit.algorithms.LoadBalancer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.OkHttpClient;

/**
 * The proxy hop: the same backends and the same load, once through a local nginx with a {@code
 * least_conn} upstream, once balanced on the client by lbkit. A plain program, not JMH.
 *
 * <p><b>Setup.</b> 11 in-process HTTP backends on 127.0.0.1 (default service time 1 ms, so that
 * the hop's own cost is visible). nginx ({@code worker_processes 2}, keep-alive to the
 * upstream, access log off) runs with its own prefix, configuration and logs under {@code
 * benchmarks/target/nginx/}; the harness starts it in the foreground and stops it at the end.
 * Both paths use the same OkHttp client settings (synchronous calls, HTTP/1.1, keep-alive). The
 * client-side path uses {@code least-connections}, the policy of nginx's {@code least_conn}
 * ({@code algorithm=...} picks another; the table names it).
 *
 * <p><b>Two loads.</b> Each path gets {@code seconds} of each load, split into {@code rounds} runs
 * that alternate lbkit, nginx, lbkit, ..., pooled per path, so that load from elsewhere on a
 * shared machine falls on both paths alike:
 *
 * <ul>
 *   <li>{@code open}: a fixed rate (default 1,000 calls/s), open loop, latency from each call's
 *       intended start: the latency percentiles at a normal load.
 *   <li>{@code closed}: a fixed number of callers (default 32) sending back to back for the
 *       whole run: the throughput both paths reach on the same two cores, with the percentiles
 *       of that same run.
 * </ul>
 *
 * <p><b>Run</b> ({@code benchmarks/run.sh proxy [key=value...]}; needs {@code nginx} on the PATH,
 * {@code apt-get install -y nginx}; its system service is not used):
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.ProxyHop \
 *     [seconds=8] [rate=1000] [concurrency=32] [serviceMs=1] [nginx=nginx] [workers=2] \
 *     [prefix=benchmarks/target/nginx] [rounds=2] [warmupSeconds=3] \
 *     [algorithm=least-connections]
 * }</pre>
 *
 * Target (issue 7): client-side balancing has lower p50 and p99 and higher throughput than the
 * nginx hop.
 */
public final class ProxyHop {

  /** Backends, as in the latency scenario. */
  static final int BACKENDS = 11;

  /** The client-side algorithm by default: least connections, the same policy as nginx's {@code least_conn}. */
  static final String CLIENT_ALGORITHM = "least-connections";

  private ProxyHop() {}

  /** Runs both paths; arguments are {@code key=value}, see the class comment. */
  public static void main(String[] args) {
    Map<String, String> opts = Args.parse(args, Map.of(
        "seconds", "8", "rate", "1000", "concurrency", "32", "serviceMs", "1", "nginx", "nginx",
        "workers", "2", "prefix", "benchmarks/target/nginx", "warmupSeconds", "3", "rounds", "2",
        "algorithm", CLIENT_ALGORITHM));
    Settings settings = new Settings(opts);
    System.out.printf(Locale.ROOT,
        "Proxy hop: %d backends, %.1f ms service time; open loop %d calls/s and closed loop %d callers,"
            + " %.0f s per path and load in %d alternating runs of %.1f s; client-side algorithm %s;"
            + " nginx least_conn, %s workers%n",
        BACKENDS, settings.serviceNanos / 1e6, settings.rate, settings.concurrency, settings.seconds,
        settings.rounds, settings.chunk(), settings.algorithm, opts.get("workers"));
    OkHttpClient client = HttpTargets.newClient();
    Map<String, LoadGenerator.Result> results;
    try (HttpBackends backends = new HttpBackends(BACKENDS, settings.serviceNanos);
        Nginx nginx = Nginx.start(opts.get("nginx"), Path.of(opts.get("prefix")), backends.servers(),
            Integer.parseInt(opts.get("workers")));
        LoadBalancer lb = BenchServers.balancer(BenchAlgorithms.byName(settings.algorithm).create(), backends.servers())) {
      LoadGenerator.Target lbkit = HttpTargets.balanced(
          client, lb, backends.servers(), BenchAlgorithms.byName(settings.algorithm).keys());
      LoadGenerator.Target proxy = HttpTargets.direct(client, "http://127.0.0.1:" + nginx.port() + "/");
      results = measure(settings, lbkit, proxy);
      System.out.println("nginx configuration and logs: " + nginx.prefix().toAbsolutePath());
    }
    printTable(settings, results);
    HttpTargets.close(client);
    System.exit(0);
  }

  /** The harness's settings, parsed once. */
  private static final class Settings {
    final double seconds;
    final int rate;
    final int concurrency;
    final long serviceNanos;
    final double warmup;
    final int rounds;
    final String algorithm;

    Settings(Map<String, String> opts) {
      seconds = Double.parseDouble(opts.get("seconds"));
      rate = Integer.parseInt(opts.get("rate"));
      concurrency = Integer.parseInt(opts.get("concurrency"));
      serviceNanos = (long) (Double.parseDouble(opts.get("serviceMs")) * 1e6);
      warmup = Double.parseDouble(opts.get("warmupSeconds"));
      rounds = Integer.parseInt(opts.get("rounds"));
      algorithm = opts.get("algorithm");
    }

    double chunk() {
      return seconds / rounds;
    }
  }

  /** Runs both loads on both paths in alternating rounds; results by "load path". */
  private static Map<String, LoadGenerator.Result> measure(
      Settings settings, LoadGenerator.Target lbkit, LoadGenerator.Target proxy) {
    // Each load is warmed with itself: a closed loop of 32 callers leaves up to 32 pooled
    // connections per backend in the client, which would change what the open loop measures.
    LoadGenerator.openLoop(lbkit, settings.rate, settings.warmup, o -> { }, 5.0);
    LoadGenerator.openLoop(proxy, settings.rate, settings.warmup, o -> { }, 5.0);
    Map<String, List<LoadGenerator.Result>> parts = new LinkedHashMap<>();
    for (String key : List.of("open lbkit", "open nginx", "closed lbkit", "closed nginx")) {
      parts.put(key, new ArrayList<>());
    }
    for (int r = 0; r < settings.rounds; r++) {
      parts.get("open lbkit").add(LoadGenerator.openLoop(lbkit, settings.rate, settings.chunk(), o -> { }, 5.0));
      parts.get("open nginx").add(LoadGenerator.openLoop(proxy, settings.rate, settings.chunk(), o -> { }, 5.0));
    }
    LoadGenerator.closedLoop(lbkit, settings.concurrency, settings.warmup);
    LoadGenerator.closedLoop(proxy, settings.concurrency, settings.warmup);
    for (int r = 0; r < settings.rounds; r++) {
      parts.get("closed lbkit").add(LoadGenerator.closedLoop(lbkit, settings.concurrency, settings.chunk()));
      parts.get("closed nginx").add(LoadGenerator.closedLoop(proxy, settings.concurrency, settings.chunk()));
    }
    Map<String, LoadGenerator.Result> results = new LinkedHashMap<>();
    for (Map.Entry<String, List<LoadGenerator.Result>> e : parts.entrySet()) {
      for (int r = 0; r < settings.rounds; r++) {
        System.out.printf(Locale.ROOT, "  %-13s round %d: %s%n", e.getKey(), r + 1, e.getValue().get(r).summary());
      }
      results.put(e.getKey(), LoadGenerator.Result.merge(e.getValue()));
    }
    return results;
  }

  private static void printTable(Settings settings, Map<String, LoadGenerator.Result> results) {
    System.out.println();
    System.out.println("| load | path | calls/s | p50 ms | p99 ms | p99.9 ms | errors |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|");
    for (Map.Entry<String, LoadGenerator.Result> e : results.entrySet()) {
      String[] parts = e.getKey().split(" ");
      LoadGenerator.Result r = e.getValue();
      System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.2f | %.2f | %d |%n",
          parts[0].equals("open") ? "open, " + settings.rate + "/s" : "closed, " + settings.concurrency + " callers",
          parts[1].equals("lbkit") ? "lbkit (" + settings.algorithm + ")" : "nginx least_conn",
          r.throughput(), r.percentileMillis(0.5), r.percentileMillis(0.99), r.percentileMillis(0.999), r.errors);
    }
    for (String load : List.of("open", "closed")) {
      LoadGenerator.Result a = results.get(load + " lbkit");
      LoadGenerator.Result b = results.get(load + " nginx");
      System.out.printf(Locale.ROOT, "%s: lbkit/nginx p50 %.2f×, p99 %.2f×, throughput %.2f×%n", load,
          a.percentileMillis(0.5) / b.percentileMillis(0.5), a.percentileMillis(0.99) / b.percentileMillis(0.99),
          a.throughput() / b.throughput());
    }
  }
}
