package dev.lbkit.benchmarks;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Interceptor overhead: one loopback {@code GET /} (a 2-byte body, no service time) through an
 * OkHttp client wrapped for client-side balancing, against the same GET with plain OkHttp to
 * the one backend, measured in the same run. Keep-alive: both reuse one connection.
 *
 * <p><b>{@code client=lbkit}</b> is built by {@link #wrapWithLbkit}, the one hook to change when
 * {@code lb-okhttp} lands: today it installs {@link PickingInterceptor}, a minimal application
 * interceptor written here (pick, rewrite host and port, proceed, report), so the figure is the
 * cost of that stand-in, not of {@code lb-okhttp}'s interceptor.
 *
 * <p><b>Run:</b> {@code benchmarks/run.sh interceptor}, or
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar InterceptorBenchmark -f 1 -wi 3 -w 1s -i 10 -r 500ms \
 *     -prof dev.lbkit.benchmarks.CpuTimeProfiler
 * }</pre>
 *
 * JMH's error column is the 99.9% confidence interval. Target (issue 7): the wrapper adds at
 * most 5 µs per call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class InterceptorBenchmark {

  /** A backend, a balancer over it, and the client under test. */
  @State(Scope.Benchmark)
  public static class Client {
    /** {@code plain} (the baseline) or {@code lbkit} (the wrapped client). */
    @Param({"plain", "lbkit"})
    public String client;

    HttpBackends backend;
    LoadBalancer lb;
    OkHttpClient okhttp;
    Request request;

    /** Starts the backend and builds the client. */
    @Setup(Level.Trial)
    public void setUp() {
      backend = new HttpBackends(1, 0);
      Server server = backend.servers().get(0);
      OkHttpClient base = HttpTargets.newClient();
      switch (client) {
        case "plain":
          okhttp = base;
          request = new Request.Builder().url("http://" + server.id() + "/").build();
          break;
        case "lbkit":
          lb = BenchServers.balancer(BenchAlgorithms.byName("round-robin").create(), backend.servers());
          okhttp = wrapWithLbkit(base, lb);
          request = new Request.Builder().url("http://backend.invalid/").build();
          break;
        default:
          throw new IllegalArgumentException("client must be one of [plain, lbkit], was '" + client + "'");
      }
    }

    /** Stops the backend and the client. */
    @TearDown(Level.Trial)
    public void tearDown() {
      HttpTargets.close(okhttp);
      if (lb != null) {
        lb.close();
      }
      backend.close();
    }
  }

  /** One GET, body read, response closed. */
  @Benchmark
  public int get(Client c) throws IOException {
    try (Response response = c.okhttp.newCall(c.request).execute()) {
      return response.body().bytes().length + response.code();
    }
  }

  /**
   * The hook for the wrapped client. PLACEHOLDER until {@code lb-okhttp} lands: replace the body
   * with the module's wrapping call over {@code lb} (for example {@code LbOkHttp.wrap(base,
   * config)}), keeping the signature.
   */
  static OkHttpClient wrapWithLbkit(OkHttpClient base, LoadBalancer lb) {
    return base.newBuilder().addInterceptor(new PickingInterceptor(lb)).build();
  }

  /**
   * The stand-in wrapper: picks a server, points the request at it, proceeds, and reports the
   * outcome and the latency to the response headers. No retries, no body tracking.
   */
  static final class PickingInterceptor implements Interceptor {
    private final LoadBalancer lb;

    PickingInterceptor(LoadBalancer lb) {
      this.lb = lb;
    }

    @Override
    public Response intercept(Interceptor.Chain chain) throws IOException {
      Selection selection = lb.pick();
      Request original = chain.request();
      Server server = selection.server();
      HttpUrl url = original.url().newBuilder().host(server.host()).port(server.port()).build();
      long start = System.nanoTime();
      try {
        Response response = chain.proceed(original.newBuilder().url(url).build());
        selection.complete(
            System.nanoTime() - start, response.code() >= 500 ? Outcome.SERVER_ERROR : Outcome.SUCCESS);
        return response;
      } catch (IOException e) {
        selection.complete(System.nanoTime() - start, Outcome.IO_ERROR);
        throw e;
      }
    }
  }
}
