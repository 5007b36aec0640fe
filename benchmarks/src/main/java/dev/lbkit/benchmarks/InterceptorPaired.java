package dev.lbkit.benchmarks;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import dev.lbkit.micrometer.LbMetrics;
import dev.lbkit.okhttp.LbAttempt;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbEventListener;
import dev.lbkit.okhttp.LbOkHttp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Interceptor overhead as a paired measurement: the difference per call between a loopback
 * {@code GET} through {@code lb-okhttp}'s wrapped client and the same GET through plain OkHttp,
 * with its confidence interval. A plain program, not JMH.
 *
 * <p><b>Why paired.</b> On a shared machine a loopback round trip varies by far more than the
 * few microseconds the target allows, and it drifts with the load from elsewhere. Two separate
 * JMH runs measure the two clients seconds apart, so the drift lands in the difference. Here the
 * calls come in pairs of blocks: {@code block} plain calls, then {@code block} wrapped calls (the
 * order alternates from pair to pair), and the statistic is the mean of the per-pair differences,
 * whose interval shrinks with the number of pairs because slow drift cancels within a pair.
 *
 * <p><b>Setup</b>, as in {@link InterceptorBenchmark}: one in-process backend (JDK {@code
 * HttpServer} on 127.0.0.1, no service time, 2-byte body), one OkHttp client with keep-alive;
 * the wrapped client is {@link InterceptorBenchmark#wrapWithLbkit} over it (one logical cluster,
 * round robin over the one backend). Both clients share the base client's connection pool, but
 * their connections differ (the wrapped one resolves the logical host itself), so each keeps its
 * own warm connection.
 *
 * <p>Two figures per call: wall time, and the CPU time of the calling thread (a synchronous
 * OkHttp call runs every interceptor on it, so the wrapper's own work is all there, while time
 * spent waiting for the server or for a core is not). Intervals are mean ± z × standard error
 * over the pairs, z = 3.29 for 99.9%, the confidence JMH prints.
 *
 * <p><b>Run</b> ({@code benchmarks/run.sh paired [key=value...]}):
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.InterceptorPaired \
 *     [pairs=400] [block=50] [warmup=20000] [listener=both|metrics|tracing|bare|noop] \
 *     [handler=empty|reading]
 * }</pre>
 *
 * Target (issue 7): the wrapper adds at most 5 µs per call, reported with its confidence
 * interval.
 *
 * <p><b>Metrics and tracing</b> (issue 15): a third client, the wrapped one with lb-micrometer's
 * listener ({@link #observedListener}: meters into a {@link SimpleMeterRegistry}, and one
 * observation per call and per attempt into an {@link ObservationRegistry} with one handler that
 * accepts every context, so observations are really built, as under a tracing bridge, but the
 * bridge's own cost is left out). Its blocks run in the same rotation, and the rows "metrics +
 * tracing on − off" give the difference per call against the wrapped client without a listener.
 * Target: the upper bound of the 99.9% interval of the added caller-thread CPU at most 1 µs.
 *
 * <p><b>Floor</b> (issue 12): a fourth client balances the same logical URL with {@link
 * MinimalBalancingInterceptor}, the least an application interceptor can do (pick, rewrite the
 * URL, proceed, report). "minimal − plain" is what OkHttp's interceptor API and a pick cost
 * inside a real call; "lbkit − minimal" is what lb-okhttp adds to that.
 */
public final class InterceptorPaired {

  /** z for a two-sided 99.9% interval, as JMH's error column. */
  static final double Z_999 = 3.291;

  private InterceptorPaired() {}

  /** Runs the measurement; arguments are {@code key=value}, see the class comment. */
  public static void main(String[] args) throws IOException {
    Map<String, String> opts = Args.parse(args, Map.of("pairs", "400", "block", "50", "warmup", "20000", "listener", "both", "handler", "empty"));
    int pairs = Integer.parseInt(opts.get("pairs"));
    int block = Integer.parseInt(opts.get("block"));
    int warmup = Integer.parseInt(opts.get("warmup"));
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    OkHttpClient base = HttpTargets.newClient();
    try (HttpBackends backend = new HttpBackends(1, 0);
        LoadBalancer lb = BenchServers.balancer(BenchAlgorithms.byName("round-robin").create(), backend.servers())) {
      Server server = backend.servers().get(0);
      OkHttpClient wrapped = InterceptorBenchmark.wrapWithLbkit(base, lb);
      OkHttpClient observed = LbOkHttp.wrap(base, LbConfig.builder().cluster(InterceptorBenchmark.CLUSTER, lb)
          .listener(observedListener(opts.get("listener"), opts.get("handler"))).build());
      OkHttpClient minimal = base.newBuilder().addInterceptor(new MinimalBalancingInterceptor(lb)).build();
      Request plainRequest = new Request.Builder().url("http://" + server.id() + "/").build();
      Request lbkitRequest = new Request.Builder().url("http://" + InterceptorBenchmark.CLUSTER + "/").build();
      OkHttpClient[] clients = {base, wrapped, observed, minimal};
      Request[] requests = {plainRequest, lbkitRequest, lbkitRequest, lbkitRequest};
      for (int i = 0; i < warmup; i++) {
        for (int c = 0; c < clients.length; c++) {
          call(clients[c], requests[c]);
        }
      }
      // [client][pair]: per-call means of each block; 0 plain, 1 lbkit, 2 lbkit with metrics and
      // tracing, 3 the minimal balancing interceptor.
      double[][] wall = new double[clients.length][pairs];
      double[][] cpu = new double[clients.length][pairs];
      for (int p = 0; p < pairs; p++) {
        // The order rotates from pair to pair (and reverses every other rotation), so that no
        // client always runs first or after the same one.
        for (int k = 0; k < clients.length; k++) {
          int rotated = (p + k) % clients.length;
          int c = (p / clients.length & 1) == 0 ? rotated : clients.length - 1 - rotated;
          long cpu0 = threads.getCurrentThreadCpuTime();
          long wall0 = System.nanoTime();
          for (int i = 0; i < block; i++) {
            call(clients[c], requests[c]);
          }
          wall[c][p] = (System.nanoTime() - wall0) / (double) block;
          cpu[c][p] = (threads.getCurrentThreadCpuTime() - cpu0) / (double) block;
        }
      }
      double[] wallPlain = wall[0];
      double[] wallLbkit = wall[1];
      double[] cpuPlain = cpu[0];
      double[] cpuLbkit = cpu[1];
      System.out.printf(Locale.ROOT,
          "Interceptor, paired: %d pairs of %d-call blocks (%d calls per client), warm-up %d calls per client;"
              + " load average now %s%n%n",
          pairs, block, pairs * block, warmup, loadAverage());
      System.out.println("| per call | plain µs | lbkit µs | lbkit − plain µs (± 99.9% CI) | × plain |");
      System.out.println("|---|---:|---:|---:|---:|");
      row("wall time, median of blocks", median(wallPlain), median(wallLbkit), null);
      row("wall time, mean", mean(wallPlain), mean(wallLbkit), diff(wallLbkit, wallPlain));
      row("caller-thread CPU, mean", mean(cpuPlain), mean(cpuLbkit), diff(cpuLbkit, cpuPlain));
      System.out.println();
      System.out.printf(Locale.ROOT, "Third client: listener=%s, handler=%s%n%n", opts.get("listener"), opts.get("handler"));
      System.out.println("| per call | lbkit µs | lbkit + metrics + tracing µs | on − off µs (± 99.9% CI) | × off |");
      System.out.println("|---|---:|---:|---:|---:|");
      row("wall time, median of blocks", median(wall[1]), median(wall[2]), null);
      row("wall time, mean", mean(wall[1]), mean(wall[2]), diff(wall[2], wall[1]));
      row("caller-thread CPU, mean", mean(cpu[1]), mean(cpu[2]), diff(cpu[2], cpu[1]));
      System.out.println();
      System.out.println("Fourth client: the minimal balancing interceptor (pick, URL rewrite, proceed, report at the headers)");
      System.out.println();
      System.out.println("| per call | plain µs | minimal µs | lbkit µs | minimal − plain µs (± 99.9% CI) | lbkit − minimal µs (± 99.9% CI) |");
      System.out.println("|---|---:|---:|---:|---:|---:|");
      fourWay("wall time, mean", wall);
      fourWay("caller-thread CPU, mean", cpu);
      System.out.printf(Locale.ROOT,
          "%nConnections in the shared pool at the end: %d (2 when they reuse them: one that plain OkHttp and the minimal interceptor share, as they address the server alike, and one the two wrapped clients share, as their per-server Dns are equal)%n",
          base.connectionPool().connectionCount());
      HttpTargets.close(minimal);
      HttpTargets.close(wrapped);
      HttpTargets.close(observed);
    } finally {
      HttpTargets.close(base);
    }
    System.exit(0);
  }

  /**
   * lb-micrometer's listener as a service would run it: meters, and observations that a handler
   * accepts (a registry without a handler would make every observation a no-op). {@code which}
   * picks a part, to split the cost: {@code both} (the default), {@code metrics}, {@code tracing},
   * {@code bare} (Micrometer's observations alone, see {@link #bareObservations}), or {@code
   * noop}, a listener that does nothing, which leaves lb-okhttp's own event plumbing.
   * {@code handler} is the observation handler's part: {@code empty} reads nothing (lb-micrometer
   * makes the key values only when read, so this is lbkit's cost alone), {@code reading} reads
   * every key value and the contextual name at each stop, as a tracing bridge does when it tags
   * its span (the bridge's own span work still left out).
   */
  static LbEventListener observedListener(String which, String handler) {
    if (!handler.equals("empty") && !handler.equals("reading")) {
      throw new IllegalArgumentException("handler must be empty or reading, was '" + handler + "'");
    }
    boolean reading = handler.equals("reading");
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
      /** What the handler read, so that the JIT cannot drop the reads. */
      int seen;

      @Override
      public void onStop(Observation.Context context) {
        if (reading) {
          seen += context.getAllKeyValues().stream().mapToInt(kv -> kv.getValue().length()).sum()
              + context.getContextualName().length();
        }
      }

      @Override
      public boolean supportsContext(Observation.Context context) {
        return true;
      }

      @Override
      public String toString() {
        return "handler that read " + seen + " characters";
      }
    });
    switch (which) {
      case "both":
        return LbMetrics.builder(new SimpleMeterRegistry()).observationRegistry(observations).build().listener();
      case "metrics":
        return LbMetrics.of(new SimpleMeterRegistry()).listener();
      case "tracing":
        return LbMetrics.observations(observations);
      case "noop":
        return new LbEventListener() {};
      case "bare":
        return bareObservations(observations);
      default:
        throw new IllegalArgumentException("listener must be both, metrics, tracing, bare or noop, was '" + which + "'");
    }
  }

  /**
   * Micrometer's part of the tracing alone, inside real calls: a call observation and a child per
   * attempt, plain contexts, no key values, no names, no propagation, nothing of lb-micrometer's.
   * The difference between {@code tracing} and this is what lb-micrometer adds on top of the
   * Observation API's own cost. Sequential calls on one thread only, as this harness makes them.
   */
  private static LbEventListener bareObservations(ObservationRegistry registry) {
    return new LbEventListener() {
      Observation call;
      Observation attempt;

      @Override
      public void callStarted(Call c, Request request) {
        call = Observation.createNotStarted("call", registry).start();
      }

      @Override
      public void attemptSending(LbAttempt a, HeaderSetter headers) {
        attempt = Observation.createNotStarted("attempt", registry).parentObservation(call).start();
      }

      @Override
      public void attemptEnded(LbAttempt a, Outcome outcome, int statusCode, Throwable failure, long latencyNanos) {
        attempt.stop();
      }

      @Override
      public void callEnded(Call c, Request request, Response response, Throwable failure, long durationNanos) {
        call.stop();
      }
    };
  }

  /** A row of the floor table, in µs: plain (0), minimal (3) and lbkit (1), and the two differences. */
  private static void fourWay(String what, double[][] perClient) {
    double[] floor = diff(perClient[3], perClient[0]);
    double[] above = diff(perClient[1], perClient[3]);
    System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f ± %.2f | %.2f ± %.2f |%n", what,
        mean(perClient[0]) / 1000, mean(perClient[3]) / 1000, mean(perClient[1]) / 1000,
        floor[0] / 1000, floor[1] / 1000, above[0] / 1000, above[1] / 1000);
  }

  private static void call(OkHttpClient client, Request request) {
    try (Response response = client.newCall(request).execute()) {
      response.body().bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Mean and 99.9% half-width of the per-pair differences {@code a[i] - b[i]}. */
  static double[] diff(double[] a, double[] b) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i] - b[i];
    }
    double m = mean(d);
    double ss = 0;
    for (double x : d) {
      ss += (x - m) * (x - m);
    }
    double sd = Math.sqrt(ss / (d.length - 1));
    return new double[] {m, Z_999 * sd / Math.sqrt(d.length)};
  }

  static double mean(double[] xs) {
    double s = 0;
    for (double x : xs) {
      s += x;
    }
    return s / xs.length;
  }

  static double median(double[] xs) {
    double[] c = xs.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  private static void row(String what, double plainNanos, double lbkitNanos, double[] diff) {
    System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %s | %.3f× |%n", what, plainNanos / 1000, lbkitNanos / 1000,
        diff == null ? String.format(Locale.ROOT, "%.2f (difference of medians)", (lbkitNanos - plainNanos) / 1000)
            : String.format(Locale.ROOT, "%.2f ± %.2f", diff[0] / 1000, diff[1] / 1000),
        lbkitNanos / plainNanos);
  }

  private static String loadAverage() {
    return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }
}
