package dev.lbkit.reliability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lbkit.api.Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * An HTTP/1.1 backend of the reliability suite: a JDK {@code HttpServer} on a free loopback port
 * (with {@code sun.net.httpserver.nodelay=true}, set by the module's pom) that records every
 * request it receives in a {@link Ledger}, by request id, and answers with its index as the body.
 * A scenario makes it answer another status or slowly, and answers {@code GET /health} for
 * active checks as a supplier says (recording each answer in order).
 *
 * <p>lb-testing's {@code TestBackend} counts requests but not request ids, and dies by closing
 * its own port; here the {@link FaultProxy} in front does the dying, so this class only counts
 * and answers.
 *
 * <p><b>Threading.</b> Thread-safe. Requests are answered on a fixed pool of daemon threads;
 * {@link #close()} stops the server and the pool.
 */
public final class CountingBackend implements AutoCloseable {

  /** Threads answering requests; more than any scenario keeps in flight on one backend. */
  private static final int THREADS = 32;
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final int index;
  private final Ledger ledger;
  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final List<Integer> healthAnswers = new ArrayList<>();
  private volatile int status = 200;
  private volatile long delayNanos;
  private volatile int bodyBytes = 1;
  private volatile IntSupplier health = () -> 200;

  private CountingBackend(int index, Ledger ledger) throws IOException {
    this.index = index;
    this.ledger = ledger;
    this.server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 128);
    this.executor = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "counting-backend-" + index);
      t.setDaemon(true);
      return t;
    });
    server.createContext("/", this::answer);
    server.setExecutor(executor);
    server.start();
  }

  /** Starts backend {@code index}, recording into {@code ledger}. */
  public static CountingBackend start(int index, Ledger ledger) throws IOException {
    return new CountingBackend(index, ledger);
  }

  /** Starts {@code n} backends indexed from 0; closes those started when one fails. */
  public static List<CountingBackend> startAll(int n, Ledger ledger) throws IOException {
    List<CountingBackend> started = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        started.add(start(i, ledger));
      }
    } catch (IOException | RuntimeException e) {
      started.forEach(CountingBackend::close);
      throw e;
    }
    return started;
  }

  /** The port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** This backend as a server, for a balancer that talks to it directly. */
  public Server server() {
    return Server.of(LOOPBACK.getHostAddress(), port());
  }

  /** Answers later requests (but {@code /health}) with {@code code}. */
  public CountingBackend status(int code) {
    this.status = code;
    return this;
  }

  /** Holds later requests (but {@code /health}) for {@code delay} before answering. */
  public CountingBackend delay(Duration delay) {
    this.delayNanos = delay.toNanos();
    return this;
  }

  /**
   * Pads later answers to {@code bytes} bytes (the index, then dots), so that a fault can cut one
   * mid-body.
   */
  public CountingBackend bodyBytes(int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("bytes must be at least 1, was " + bytes);
    }
    this.bodyBytes = bytes;
    return this;
  }

  /** Answers each later {@code GET /health} with the status {@code answers} gives. */
  public CountingBackend health(IntSupplier answers) {
    this.health = answers;
    return this;
  }

  /** Requests received, {@code /health} excepted. */
  public int requests() {
    return requests.get();
  }

  /** The most requests this backend held at once, {@code /health} excepted. */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  /** Sets {@link #maxInFlight()} to the number held now. */
  public void resetMaxInFlight() {
    maxInFlight.set(inFlight.get());
  }

  /** The statuses of the {@code /health} answers so far, in order. */
  public List<Integer> healthAnswers() {
    synchronized (healthAnswers) {
      return List.copyOf(healthAnswers);
    }
  }

  /** Stops the server and its threads. Idempotent. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "CountingBackend(" + index + ", port " + port() + ", status " + status + ", " + requests + " requests)";
  }

  private byte[] body(int bytes) {
    StringBuilder b = new StringBuilder(bytes).append(index);
    while (b.length() < bytes) {
      b.append('.');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      try (InputStream body = exchange.getRequestBody()) {
        body.transferTo(OutputStream.nullOutputStream());
      }
      if (exchange.getRequestURI().getPath().equals("/health")) {
        int code;
        synchronized (healthAnswers) {
          code = health.getAsInt();
          healthAnswers.add(code);
        }
        exchange.sendResponseHeaders(code, -1);
        return;
      }
      requests.incrementAndGet();
      ledger.record(exchange.getRequestHeaders().getFirst(Ledger.REQUEST_ID), exchange.getRequestMethod());
      int now = inFlight.incrementAndGet();
      maxInFlight.accumulateAndGet(now, Math::max);
      try {
        int code = status;
        long delay = delayNanos;
        if (delay > 0) {
          try {
            TimeUnit.NANOSECONDS.sleep(delay);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // closing
          }
        }
        byte[] out = body(bodyBytes);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(code, out.length);
        exchange.getResponseBody().write(out);
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }
}
