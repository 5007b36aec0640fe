package dev.lbkit.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Answers every attempt of a wrapped client in-process, for rows that send 10⁵ to 10⁶ requests
 * where loopback HTTP would take minutes: an application interceptor placed after lbkit's, so it
 * receives each attempt exactly as lbkit addressed it. It resolves the attempt's host through
 * the attempt's own {@code Dns} (the per-server {@code Dns} lbkit installs), which is where
 * OkHttp would connect, and counts the attempts per address.
 *
 * <pre>{@code
 * InProcessBackend backend = new InProcessBackend(r -> "");
 * OkHttpClient client = backend.install(LbOkHttp.wrap(new OkHttpClient(), config));
 * }</pre>
 *
 * <p>Threading: safe for concurrent calls.
 */
final class InProcessBackend implements Interceptor {
  private final Map<InetSocketAddress, LongAdder> received = new ConcurrentHashMap<>();
  /** The {@code Set-Cookie} value of the response to an attempt, or null for none. */
  private final Function<Request, String> setCookie;

  InProcessBackend(Function<Request, String> setCookie) {
    this.setCookie = setCookie;
  }

  /** {@code wrapped} (a client built by {@code LbOkHttp.wrap}) with its attempts answered here. */
  OkHttpClient install(OkHttpClient wrapped) {
    return wrapped.newBuilder().addInterceptor(this).build();
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    List<InetAddress> addresses = chain.getDns().lookup(request.url().host());
    InetSocketAddress to = new InetSocketAddress(addresses.get(0), request.url().port());
    received.computeIfAbsent(to, a -> new LongAdder()).increment();
    Response.Builder b = new Response.Builder().request(request).protocol(Protocol.HTTP_1_1).code(200).message("OK")
        .body(ResponseBody.create(new byte[0], null));
    String cookie = setCookie.apply(request);
    if (cookie != null) {
      b.header("Set-Cookie", cookie);
    }
    return b.build();
  }

  /** Attempts received by each address. */
  Map<InetSocketAddress, Long> received() {
    Map<InetSocketAddress, Long> out = new HashMap<>();
    received.forEach((a, n) -> out.put(a, n.sum()));
    return out;
  }
}
