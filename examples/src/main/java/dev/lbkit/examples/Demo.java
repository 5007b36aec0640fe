package dev.lbkit.examples;

import com.sun.net.httpserver.HttpServer;
import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo: starts three local HTTP backends, balances calls over them with round robin, and
 * prints each backend's share.
 *
 * <p>Run from the repository root: {@code mvn -q -Pdemo -DskipTests package}.
 */
public final class Demo {

  private Demo() {}

  /** Runs the demo. */
  public static void main(String[] args) throws IOException {
    List<HttpServer> backends = new ArrayList<>();
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String name = "backend-" + (i + 1);
      HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      http.createContext("/", exchange -> {
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
      });
      http.start();
      backends.add(http);
      servers.add(Server.of("127.0.0.1", http.getAddress().getPort()));
    }

    Map<String, Integer> counts = new TreeMap<>();
    try (LoadBalancer lb =
        LoadBalancer.builder("demo").servers(servers).algorithm(Algorithms.roundRobin()).build()) {
      for (int i = 0; i < 300; i++) {
        Selection selection = lb.pick();
        long start = System.nanoTime();
        String answer = get(selection.server());
        selection.complete(System.nanoTime() - start, Outcome.SUCCESS);
        counts.merge(answer, 1, Integer::sum);
      }
      System.out.println("round robin over 3 local backends, 300 calls:");
      counts.forEach((name, n) -> System.out.printf("  %-10s %4d calls%n", name, n));
      lb.servers().forEach(v -> System.out.println("  " + v));
    } finally {
      backends.forEach(b -> b.stop(0));
    }
  }

  private static String get(Server server) throws IOException {
    URL url = new URL("http://" + server.id() + "/");
    HttpURLConnection conn = (HttpURLConnection) url.openConnection();
    try (InputStream in = conn.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      conn.disconnect();
    }
  }
}
