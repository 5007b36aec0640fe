package dev.lbkit.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lbkit.api.Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loopback HTTP backend of {@link TestBackends}: a JDK {@code HttpServer} on {@code
 * 127.0.0.1} that answers every request, whatever its method and path, with its {@linkplain
 * #index() index} as a {@code text/plain} body and in an {@code X-Backend} header. A test makes
 * it {@linkplain #slow slow}, {@linkplain #failing failing} or {@linkplain #dead dead}, and
 * {@linkplain #revive revives} it, on the same port; it counts the requests it receives.
 *
 * <p>It starts healthy: status 200, at once. Slow and failing combine (a slow 503); {@link
 * #healthy()} clears both.
 *
 * <p><b>Threading.</b> Thread-safe. Requests are answered on the backend's own daemon threads,
 * many at a time, so a slow backend holds every request for its delay concurrently. Changes
 * apply to requests that arrive afterwards.
 */
public final class TestBackend implements AutoCloseable {

  /** The header that names the backend in every response: its index. */
  public static final String BACKEND_HEADER = "X-Backend";

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final int index;
  private final int port;
  private final AtomicInteger requests = new AtomicInteger();
  private final Map<String, AtomicInteger> requestsByPath = new ConcurrentHashMap<>();
  private volatile int status = 200;
  private volatile long delayNanos;
  // Guarded by this. The current life: null while dead or closed.
  private Life life;
  private boolean closed;

  /** Starts backend {@code index} on a free port of {@code 127.0.0.1}. */
  TestBackend(int index) throws IOException {
    this.index = index;
    Life first = Life.start(0, index, this::answer);
    this.port = first.server.getAddress().getPort();
    this.life = first;
  }

  /** This backend's index in its {@link TestBackends}, also its response body. */
  public int index() {
    return index;
  }

  /** The port it listens on, the same across {@link #dead()} and {@link #revive()}. */
  public int port() {
    return port;
  }

  /** This backend as a server for a {@code LoadBalancer}: {@code 127.0.0.1:port}, weight 1. */
  public Server server() {
    return Server.of(LOOPBACK.getHostAddress(), port);
  }

  /**
   * Holds every later request for {@code delay} before answering; {@link Duration#ZERO} answers
   * at once again. Closing or killing the backend cuts the wait short.
   *
   * @throws IllegalArgumentException when {@code delay} is negative
   */
  public TestBackend slow(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    this.delayNanos = delay.toNanos();
    return this;
  }

  /**
   * Answers every later request with {@code status}, for example 503; 200 answers normally
   * again.
   *
   * @throws IllegalArgumentException when {@code status} is not in [200, 599]
   */
  public TestBackend failing(int status) {
    if (status < 200 || status > 599) {
      throw new IllegalArgumentException("status must be in [200, 599], was " + status);
    }
    this.status = status;
    return this;
  }

  /** Answers 200 at once again: clears {@link #slow} and {@link #failing}. */
  public TestBackend healthy() {
    this.delayNanos = 0;
    this.status = 200;
    return this;
  }

  /**
   * Closes the port: new connections are refused and open ones are closed, as when the process
   * dies. Requests being held by {@link #slow} end without an answer. Idempotent.
   */
  public TestBackend dead() {
    Life dying;
    synchronized (this) {
      dying = life;
      life = null;
    }
    if (dying != null) {
      dying.stop();
    }
    return this;
  }

  /**
   * Listens on the same port again after {@link #dead()}, keeping the slow and failing settings
   * and the request counts. Does nothing while alive.
   *
   * @throws IllegalStateException when the backend was closed
   * @throws UncheckedIOException when the port was taken meanwhile
   */
  public synchronized TestBackend revive() {
    if (closed) {
      throw new IllegalStateException("backend " + index + " on port " + port + " was closed and cannot revive");
    }
    if (life == null) {
      try {
        life = Life.start(port, index, this::answer);
      } catch (IOException e) {
        throw new UncheckedIOException("backend " + index + " cannot listen on port " + port + " again", e);
      }
    }
    return this;
  }

  /** Whether the port is open: started or revived, and neither dead nor closed. */
  public synchronized boolean isAlive() {
    return life != null;
  }

  /** Requests received, answered or not, since the start or the last {@link #resetRequests()}. */
  public int requests() {
    return requests.get();
  }

  /** Requests received for {@code path} (the URL path, without the query). */
  public int requests(String path) {
    AtomicInteger n = requestsByPath.get(path);
    return n == null ? 0 : n.get();
  }

  /** Sets the request counts to zero. */
  public void resetRequests() {
    requests.set(0);
    requestsByPath.clear();
  }

  /** Stops the backend for good and frees its port. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    dead();
  }

  @Override
  public String toString() {
    return "TestBackend(" + index + ", 127.0.0.1:" + port + ", " + (isAlive() ? "alive" : "dead")
        + ", status " + status + ", delay " + Duration.ofNanos(delayNanos) + ", " + requests + " requests)";
  }

  private void answer(HttpExchange exchange, CountDownLatch stopping) throws IOException {
    requests.incrementAndGet();
    requestsByPath.computeIfAbsent(exchange.getRequestURI().getPath(), p -> new AtomicInteger()).incrementAndGet();
    int code = status;
    long delay = delayNanos;
    try {
      try (InputStream body = exchange.getRequestBody()) {
        body.transferTo(OutputStream.nullOutputStream()); // a drained request keeps the connection reusable
      }
      if (delay > 0) {
        try {
          if (stopping.await(delay, TimeUnit.NANOSECONDS)) {
            return; // killed or closed while holding the request: no answer
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      byte[] body = String.valueOf(index).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.getResponseHeaders().set(BACKEND_HEADER, String.valueOf(index));
      if (exchange.getRequestMethod().equals("HEAD")) {
        exchange.sendResponseHeaders(code, -1);
      } else {
        exchange.sendResponseHeaders(code, body.length);
        exchange.getResponseBody().write(body);
      }
    } finally {
      exchange.close();
    }
  }

  /** What answers a request, given the latch that opens when the current life ends. */
  @FunctionalInterface
  private interface Handler {
    void answer(HttpExchange exchange, CountDownLatch stopping) throws IOException;
  }

  /** One listening period of the backend: from start or revive to dead or close. */
  private static final class Life {
    final HttpServer server;
    final ExecutorService executor;
    final CountDownLatch stopping = new CountDownLatch(1);

    private Life(HttpServer server, ExecutorService executor) {
      this.server = server;
      this.executor = executor;
    }

    static Life start(int port, int index, Handler handler) throws IOException {
      TestBackends.ensureNoDelay();
      HttpServer server = HttpServer.create(new InetSocketAddress(LOOPBACK, port), 64);
      ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lbkit-test-backend-" + index);
        t.setDaemon(true);
        return t;
      });
      Life life = new Life(server, executor);
      server.createContext("/", exchange -> handler.answer(exchange, life.stopping));
      server.setExecutor(executor);
      server.start();
      return life;
    }

    void stop() {
      stopping.countDown();
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
