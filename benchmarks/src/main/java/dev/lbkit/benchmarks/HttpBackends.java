package dev.lbkit.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.lbkit.api.Server;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * In-process HTTP backends on 127.0.0.1 (JDK {@code HttpServer}), each answering {@code GET /}
 * with 200 and a two-byte body after its own service time, which the harness can change during a
 * run to make one backend slow.
 *
 * <p>The service time is simulated by parking the handler thread, one thread per call from a
 * shared cached pool, so a slow backend delays only its own calls, as a real overloaded server
 * would.
 */
final class HttpBackends implements AutoCloseable {

  private static final byte[] BODY = "ok".getBytes(StandardCharsets.US_ASCII);

  static {
    // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm
    // and the client's delayed ACK add up to 40 ms to a call. Read once, when the server's
    // configuration class loads, so it must be set before the first server starts.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final List<Backend> backends = new ArrayList<>();
  private final ExecutorService handlers =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "backend-handler");
            t.setDaemon(true);
            return t;
          });

  /** Starts {@code count} backends, each with {@code serviceNanos} of service time. */
  HttpBackends(int count, long serviceNanos) {
    for (int i = 0; i < count; i++) {
      backends.add(new Backend(serviceNanos));
    }
  }

  /** The backends' addresses as servers, in start order. */
  List<Server> servers() {
    List<Server> list = new ArrayList<>();
    for (Backend b : backends) {
      list.add(Server.of("127.0.0.1", b.port()));
    }
    return list;
  }

  /** The backend at {@code index}. */
  Backend get(int index) {
    return backends.get(index);
  }

  /** Sets every backend's service time. */
  void setServiceNanos(long nanos) {
    for (Backend b : backends) {
      b.serviceNanos = nanos;
    }
  }

  @Override
  public void close() {
    for (Backend b : backends) {
      b.server.stop(0);
    }
    handlers.shutdownNow();
    try {
      handlers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One backend. */
  final class Backend {
    final HttpServer server;
    volatile long serviceNanos;

    Backend(long serviceNanos) {
      this.serviceNanos = serviceNanos;
      try {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server.setExecutor(handlers);
      server.createContext(
          "/",
          exchange -> {
            try (exchange) {
              long delay = this.serviceNanos;
              if (delay > 0) {
                long end = System.nanoTime() + delay;
                for (long left = delay; left > 0; left = end - System.nanoTime()) {
                  LockSupport.parkNanos(left);
                }
              }
              exchange.getRequestBody().readAllBytes();
              exchange.sendResponseHeaders(200, BODY.length);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(BODY);
              }
            }
          });
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    /** Sets this backend's service time, in nanoseconds. */
    void setServiceNanos(long nanos) {
      this.serviceNanos = nanos;
    }
  }
}
