package dev.lbkit.benchmarks;

import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * {@link LoadGenerator.Target}s over one shared OkHttp client (synchronous calls): one that
 * balances on the client through a {@link Picker} and reports every outcome, and one that sends
 * every call to a single address (a proxy).
 */
final class HttpTargets {

  /** A hard per-call timeout, so a run always ends; far above any latency the scenarios expect. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

  /**
   * Idle connections the client keeps: enough for every caller of the closed loop on every
   * backend, so neither path pays for reconnects (OkHttp's default keeps 5).
   */
  static final int IDLE_CONNECTIONS = 512;

  /**
   * How long an idle pooled connection is kept: 20 s, under the 30 s after which the JDK {@code
   * HttpServer} of {@link HttpBackends} (JDK 17) closes idle connections ({@code
   * sun.net.httpserver.idleInterval}). With a longer keep-alive the client reused connections the
   * server had closed, and with {@code retryOnConnectionFailure(false)} those calls failed with
   * "unexpected end of stream", a harness artifact.
   */
  static final int KEEP_ALIVE_SECONDS = 20;

  private HttpTargets() {}

  /** An OkHttp client with keep-alive connections, as both sides of every comparison use. */
  static OkHttpClient newClient() {
    return new OkHttpClient.Builder()
        .connectionPool(new ConnectionPool(IDLE_CONNECTIONS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS))
        .callTimeout(CALL_TIMEOUT)
        .retryOnConnectionFailure(false)
        .build();
  }

  /** Shuts the client's threads and connections down. */
  static void close(OkHttpClient client) {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  /** Distinct hash keys the calls of a hash-based algorithm cycle through, like user ids. */
  static final int HASH_KEYS = 1024;

  /**
   * Picks a server for every call, sends {@code GET /} to it, and reports the outcome and the
   * latency to the response headers to the selection. With {@link BenchAlgorithms.Keys#HASHED},
   * calls cycle through {@link #HASH_KEYS} hash keys; otherwise they pick with {@code
   * PickContext.EMPTY}.
   */
  static LoadGenerator.Target balanced(
      OkHttpClient client, Picker picker, List<Server> servers, BenchAlgorithms.Keys keys) {
    Map<String, Request> requests = new HashMap<>();
    for (Server s : servers) {
      requests.put(s.id(), new Request.Builder().url("http://" + s.id() + "/").build());
    }
    PickContext[] contexts = new PickContext[HASH_KEYS];
    for (int i = 0; i < HASH_KEYS; i++) {
      contexts[i] = keys == BenchAlgorithms.Keys.HASHED ? PickContext.ofKey("user-" + i) : PickContext.EMPTY;
    }
    AtomicInteger cursor = new AtomicInteger();
    return () -> {
      Selection selection = picker.pick(contexts[cursor.getAndIncrement() & (HASH_KEYS - 1)]);
      Request request = requests.get(selection.server().id());
      long sent = System.nanoTime();
      try (Response response = client.newCall(request).execute()) {
        long latency = System.nanoTime() - sent;
        response.body().bytes();
        int status = response.code();
        selection.complete(latency, status >= 500 ? Outcome.SERVER_ERROR : Outcome.SUCCESS);
        return status;
      } catch (IOException | RuntimeException e) {
        selection.complete(System.nanoTime() - sent, outcomeOf(e));
        throw e;
      }
    };
  }

  /** Sends every call to {@code url}. */
  static LoadGenerator.Target direct(OkHttpClient client, String url) {
    Request request = new Request.Builder().url(url).build();
    return () -> {
      try (Response response = client.newCall(request).execute()) {
        response.body().bytes();
        return response.code();
      }
    };
  }

  private static Outcome outcomeOf(Exception error) {
    if (error instanceof ConnectException) {
      return Outcome.CONNECT_FAILURE;
    }
    if (error instanceof InterruptedIOException) {
      return Outcome.TIMEOUT;
    }
    return Outcome.IO_ERROR;
  }
}
