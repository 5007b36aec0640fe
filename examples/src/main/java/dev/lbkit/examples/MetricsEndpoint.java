package dev.lbkit.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * The demo's Prometheus endpoint: a JDK {@link HttpServer} on a free loopback port that answers
 * {@code GET /metrics} with the registry's scrape, while the demo runs. Closing it stops the
 * server and closes the registry.
 */
final class MetricsEndpoint implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final HttpServer server;
  private final ExecutorService pool;

  private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer server, ExecutorService pool) {
    this.registry = registry;
    this.server = server;
    this.pool = pool;
  }

  /** Serves {@code registry}'s scrape on a free port of the loopback address. */
  static MetricsEndpoint start(PrometheusMeterRegistry registry) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      ExecutorService pool = Executors.newSingleThreadExecutor(Demo.daemon("metrics-endpoint"));
      server.setExecutor(pool);
      MetricsEndpoint endpoint = new MetricsEndpoint(registry, server, pool);
      server.createContext("/metrics", endpoint::scrape);
      server.start();
      return endpoint;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The registry it serves. */
  PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The URL to scrape. */
  String url() {
    return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/metrics";
  }

  private void scrape(HttpExchange exchange) throws IOException {
    try {
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    } finally {
      exchange.close();
    }
  }

  /** The scrape's series (no comments) whose names start with one of {@code prefixes}, in scrape order. */
  List<String> series(List<String> prefixes) {
    return registry.scrape().lines()
        .filter(l -> !l.startsWith("#") && prefixes.stream().anyMatch(l::startsWith))
        .collect(Collectors.toList());
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
    registry.close();
  }
}
