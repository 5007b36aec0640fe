package dev.lbkit.benchmarks;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.io.IOException;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The least an OkHttp application interceptor can do to balance a call: pick a server, point the
 * request's URL at it, proceed, and report the outcome at the response headers. No retries, no
 * routing rules, no per-server connection pools, no events, no exactly-once body accounting. It
 * is the floor against which {@link InterceptorPaired} places lb-okhttp's cost: what OkHttp's
 * interceptor API itself costs for a balanced call (a new {@link HttpUrl} and {@link Request} per
 * call, and the interceptor chain), plus one pick and its report. Not a product: it exists to be
 * measured.
 *
 * <p>Thread-safe as the balancer is; one instance serves every call of its client.
 */
final class MinimalBalancingInterceptor implements Interceptor {
  private final LoadBalancer lb;

  MinimalBalancingInterceptor(LoadBalancer lb) {
    this.lb = lb;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    Selection selection = lb.pick(PickContext.EMPTY);
    Server server = selection.server();
    HttpUrl url = request.url().newBuilder().host(server.host()).port(server.port()).build();
    long start = System.nanoTime();
    try {
      Response response = chain.proceed(request.newBuilder().url(url).build());
      selection.complete(System.nanoTime() - start,
          response.code() >= 500 ? Outcome.SERVER_ERROR : Outcome.SUCCESS);
      return response;
    } catch (IOException | RuntimeException e) {
      selection.complete(System.nanoTime() - start, Outcome.IO_ERROR);
      throw e;
    }
  }

  @Override
  public String toString() {
    return "MinimalBalancingInterceptor{" + lb + "}";
  }
}
