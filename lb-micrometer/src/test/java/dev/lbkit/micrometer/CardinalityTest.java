package dev.lbkit.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.health.CircuitBreakers;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.RetryPolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/** A 1,000-server cluster produces no per-server series beyond the cap, and the tag keys never change. */
class CardinalityTest {
  private static final Pattern SERVER = Pattern.compile("server=\"([^\"]*)\"");

  /** The server tag values of the series of {@code metric} in {@code scrape}, and their number of lines. */
  private static Set<String> serverValues(String scrape, String metric, List<String> lines) {
    Set<String> values = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (line.startsWith(metric + "{")) {
        lines.add(line);
        Matcher m = SERVER.matcher(line);
        assertTrue(m.find(), "every series of " + metric + " has the server key: " + line);
        values.add(m.group(1));
      }
    }
    return values;
  }

  @Test
  void aThousandServersMakeAtMostElevenServerValuesPerMeter() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    // 1,000 loopback addresses on a port nothing listens on: every attempt is refused at once.
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      servers.add(Server.of("127.0." + (i / 250) + "." + (1 + i % 250), closedPort));
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (LoadBalancer lb = LoadBalancer.builder("big").algorithm(Algorithms.roundRobin()).servers(servers)
        .healthInput(CircuitBreakers.builder().build()).build()) {
      LbMetrics metrics = LbMetrics.of(registry);
      metrics.bind(lb);
      OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().listener(metrics.listener())
          .retryPolicy(RetryPolicy.NONE).cluster("big", lb).build());
      for (int i = 0; i < 1000; i++) {
        assertThrows(IOException.class,
            () -> client.newCall(new Request.Builder().url("http://big/").build()).execute().close());
      }
      String scrape = registry.scrape();

      List<String> attemptLines = new ArrayList<>();
      Set<String> attemptServers = serverValues(scrape, "lbkit_client_attempt_duration_seconds_count", attemptLines);
      assertEquals(LbMetrics.DEFAULT_MAX_TAGGED_SERVERS + 1, attemptServers.size(), attemptServers.toString());
      assertTrue(attemptServers.contains("other"));
      double total = 0;
      for (String line : attemptLines) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
      assertEquals(1000, total, "every attempt counted, under its own server or other");

      List<String> breakerLines = new ArrayList<>();
      Set<String> breakerServers = serverValues(scrape, "lbkit_lb_breaker_state", breakerLines);
      assertEquals(LbMetrics.DEFAULT_MAX_TAGGED_SERVERS + 1, breakerServers.size(), breakerServers.toString());
      assertEquals(3 * breakerServers.size(), breakerLines.size(), "closed, open, half-open per server value");
      assertTrue(scrape.contains("lbkit_lb_breaker_state{cluster=\"big\",server=\"other\",state=\"closed\"} 990"),
          "the 990 servers past the cap share one series");
      assertTrue(scrape.contains("lbkit_lb_servers{cluster=\"big\",state=\"pickable\"} 1000"));
    } finally {
      registry.close();
    }
  }

  @Test
  void aServerThatLeavesFreesItsSlot() {
    ServerTags tags = new ServerTags(2);
    assertEquals("a:1", tags.tag("a:1"));
    assertEquals("b:1", tags.tag("b:1"));
    assertEquals("other", tags.tag("c:1"));
    assertEquals("a:1", tags.tag("a:1"), "stable");
    tags.release("a:1");
    assertEquals("c:1", tags.tag("c:1"), "a newcomer takes the freed slot");
    assertEquals("other", tags.tag("d:1"));
    tags.release("d:1");
    assertEquals("other", tags.tag("e:1"), "releasing a server past the cap frees nothing");
  }

  @Test
  void zeroTurnsPerServerValuesOffAndTheCapIsValidated() {
    ServerTags none = new ServerTags(0);
    assertEquals("other", none.tag("a:1"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LbMetrics.builder(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).maxTaggedServers(-1).build());
    assertEquals("maxTaggedServers must be in [0, 1000], was -1", e.getMessage());
  }
}
