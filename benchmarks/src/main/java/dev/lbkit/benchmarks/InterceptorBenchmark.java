package dev.lbkit.benchmarks;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
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
 * <p><b>{@code client=lbkit}</b> is the same base client wrapped by {@code lb-okhttp}: {@code
 * LbOkHttp.wrap(base, LbConfig.builder().cluster("backend", lb).build())}, one logical cluster
 * whose round-robin {@link LoadBalancer} holds the one backend; its requests name {@code
 * http://backend/}. {@code client=plain} sends {@code GET http://127.0.0.1:<port>/} to the same
 * backend with the unwrapped client.
 *
 * <p>Two independent JMH runs give each client's mean with its own interval; the interval of
 * their difference is at most the sum of the two half-widths, which on a busy machine is far
 * wider than the difference. {@link InterceptorPaired} measures the difference directly, with
 * alternating blocks of calls, and gives its confidence interval.
 *
 * <p><b>Run:</b> {@code benchmarks/run.sh interceptor}, or
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar InterceptorBenchmark -f 1 -wi 3 -w 1s -i 10 -r 500ms \
 *     -prof gc -prof dev.lbkit.benchmarks.CpuTimeProfiler
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
          request = new Request.Builder().url("http://" + CLUSTER + "/").build();
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

  /** The logical host of the one cluster: requests name it, and lbkit resolves it to the backend. */
  static final String CLUSTER = "backend";

  /**
   * The wrapped client: {@code lb-okhttp}'s {@link LbOkHttp#wrap} with one cluster, {@value
   * #CLUSTER}, balanced by {@code lb}; every other setting at its default.
   */
  static OkHttpClient wrapWithLbkit(OkHttpClient base, LoadBalancer lb) {
    return LbOkHttp.wrap(base, LbConfig.builder().cluster(CLUSTER, lb).build());
  }
}
