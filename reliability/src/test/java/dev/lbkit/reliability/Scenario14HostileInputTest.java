package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.RouteRule;
import dev.lbkit.okhttp.StickyPolicy;
import dev.lbkit.testing.TestBackend;
import dev.lbkit.testing.TestBackends;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.EventListener;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Row 14: hostile sticky cookies and routing headers never crash the client and never send a
 * request outside the cluster it was routed to.
 *
 * <p>Nine real loopback backends: {@code shop} (0-2, balancer-cookie stickiness {@code lb}),
 * {@code cart} (3-4, application-cookie stickiness on {@code JSESSIONID}), {@code search} (5-6,
 * ring hash on header {@code X-User}), {@code admin} (7, balancer cookie {@code lb} too), and one
 * backend (8) in no cluster. A rule sends {@code shop} requests whose {@code X-Route} is exactly
 * {@code cart} to {@code cart}. Hostile values go into the {@code lb} and {@code JSESSIONID}
 * cookies and the {@code X-User} and {@code X-Route} headers, set with OkHttp's unchecked
 * {@code addUnsafeNonAscii} so that lbkit sees them raw, as a gateway forwarding a browser's
 * headers would: forged and replayed tokens (a genuine {@code admin} token, a genuine {@code shop}
 * token with one character changed), server ids and addresses, empty and malformed cookie lists,
 * 8 KB and 64 KB values, CR/LF injection, NUL, Latin-1, lone surrogates and emoji.
 *
 * <p>Then 10⁵ distinct values (10⁶ in the soak), in-process ({@link InProcessBackend}): every
 * attempt's address, resolved through the attempt's own {@code Dns}, must be a server of the
 * cluster the request was routed to.
 */
class Scenario14HostileInputTest {

  private static final int DISTINCT = (int) Profile.pick(100_000, 1_000_000);

  private static TestBackends backends;

  @BeforeAll
  static void start() throws IOException {
    backends = TestBackends.start(9);
  }

  @AfterAll
  static void stop() {
    backends.close();
  }

  private static List<Server> servers(int from, int to) {
    return backends.servers().subList(from, to);
  }

  private static LbConfig config() {
    return LbConfig.builder()
        .cluster("shop", balancer("shop", servers(0, 3), false))
        .cluster("cart", balancer("cart", servers(3, 5), false))
        .cluster("search", balancer("search", servers(5, 7), true))
        .cluster("admin", balancer("admin", servers(7, 8), false))
        .sticky("shop", StickyPolicy.balancerCookie("lb"))
        .sticky("cart", StickyPolicy.applicationCookie("JSESSIONID", 10_000, Duration.ofMinutes(30)))
        .sticky("search", StickyPolicy.hashHeader("X-User"))
        .sticky("admin", StickyPolicy.balancerCookie("lb"))
        .rule(RouteRule.builder().host("shop").header("X-Route", "cart").toCluster("cart").build())
        .build();
  }

  private static LoadBalancer balancer(String name, List<Server> servers, boolean hashing) {
    return LoadBalancer.builder(name).servers(servers)
        .algorithm(hashing ? Algorithms.ringHash().virtualNodesPerServer(64).build() : Algorithms.roundRobin()).build();
  }

  @Test
  void hostileCookiesAndHeadersStayInTheirClusterOnRealBackends() throws Exception {
    Connections connections = new Connections();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient.Builder().eventListener(connections).build(), config());
    String adminToken = token(client, "http://admin/").token();
    Issued shop = token(client, "http://shop/");
    String shopToken = shop.token();
    char flipped = shopToken.charAt(0) == 'A' ? 'B' : 'A';
    List<String> values = new ArrayList<>(List.of(
        adminToken, flipped + shopToken.substring(1), "AAAAAAAAAAAAAAAA", "", " ", ";", "=", "lb=", "\"quoted\"",
        servers(7, 8).get(0).id(), servers(8, 9).get(0).id(), "127.0.0.1", "../admin", "%0d%0aHost:%20admin",
        "x".repeat(8 * 1024), "y".repeat(64 * 1024),
        "a\r\nHost: admin", "a\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: admin\r\n", "a\nb", "a\rb", "nul\u0000nul",
        "\u00ff\u00fe latin-1", "\uD800 lone surrogate", "\uDFFF", "emoji \uD83D\uDE00", "\u202Eright-to-left",
        "cart ", "CART", "cart\r\n", " cart"));
    List<String> cookieLists = List.of("lb=%s", "JSESSIONID=%s", "lb=%s; lb=" + adminToken, "%s", "=%s; ;;", "lb=%s;JSESSIONID=%s");

    int[] before = counts();
    Tally tally = new Tally();
    int hostile = 0;
    for (String v : values) {
      for (String host : List.of("shop", "cart", "search")) {
        for (String cookies : cookieLists) {
          hostile++;
          tally.send(client, host, Headers.of().newBuilder()
              .addUnsafeNonAscii("Cookie", cookies.replace("%s", v)));
        }
        hostile++;
        tally.send(client, host, Headers.of().newBuilder().addUnsafeNonAscii("X-User", v));
        hostile++;
        tally.send(client, host, Headers.of().newBuilder().addUnsafeNonAscii("X-Route", v)
            .addUnsafeNonAscii("Cookie", "lb=" + v));
      }
    }
    // A genuine token still sticks: the check above is not vacuous because stickiness is off.
    Set<Integer> stuck = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      stuck.add(send(client, "shop", Headers.of().newBuilder().add("Cookie", "lb=" + shopToken)));
    }
    int[] after = counts();
    int[] delta = new int[after.length];
    for (int i = 0; i < delta.length; i++) {
      delta[i] = after[i] - before[i];
    }
    int outside = delta[7] + delta[8];
    Map<String, Set<InetSocketAddress>> allowed = Map.of(
        "shop", addresses(0, 5), "cart", addresses(3, 5), "search", addresses(5, 7), "admin", addresses(7, 8));
    List<String> strayConnections = new ArrayList<>();
    connections.byHost.forEach((host, used) -> {
      for (InetSocketAddress a : used) {
        if (!allowed.get(host).contains(a)) {
          strayConnections.add(host + " -> " + a);
        }
      }
    });
    int shopSide = delta[0] + delta[1] + delta[2];
    // shop requests land on shop, or on cart through the rule (only for X-Route exactly "cart": never here).
    boolean pass = tally.crashes.isEmpty() && outside == 0 && tally.wrongCluster == 0 && strayConnections.isEmpty()
        && stuck.equals(Set.of(shop.backend()));
    ScenarioTable.record("14 loopback", hostile + " hostile requests (" + values.size()
            + " values: forged/replayed tokens, server ids, 8-64 KB, CR/LF, NUL, non-UTF-8) to 3 sticky clusters",
        "0 crashes; 0 requests outside the cluster's servers",
        tally.ok + " answered, " + tally.refusedByServer + " refused by the backend's HTTP parser, " + tally.ioFailures
            + " I/O failures, " + tally.crashes.size() + " crashes; " + outside + " requests and "
            + strayConnections.size() + " connections outside the clusters, " + tally.wrongCluster
            + " answered by another cluster", pass);
    assertEquals(List.of(), tally.crashes, "calls that threw something other than an IOException");
    assertEquals(0, outside, "requests at admin's server or the unlisted one: " + Arrays.toString(delta));
    assertEquals(0, tally.wrongCluster, "answers from a server of another cluster");
    assertEquals(List.of(), strayConnections, "attempts on a connection to a server outside the call's clusters");
    assertTrue(shopSide > 0 && delta[3] + delta[4] > 0 && delta[5] + delta[6] > 0, Arrays.toString(delta));
    assertEquals(Set.of(shop.backend()), stuck, "a genuine token sticks");
  }

  @Test
  void distinctHostileValuesInProcessNeverLeaveTheCluster() throws Exception {
    SplittableRandom random = new SplittableRandom(14);
    InProcessBackend backend = new InProcessBackend(r -> r.url().host().equals("cart")
        ? "JSESSIONID=" + Long.toHexString(random.split().nextLong()) + "; Path=/" : null);
    OkHttpClient client = backend.install(LbOkHttp.wrap(new OkHttpClient(), config()));
    Map<String, Set<InetSocketAddress>> allowed = Map.of(
        "shop", addresses(0, 5), "cart", addresses(3, 5), "search", addresses(5, 7));
    List<String> crashes = new ArrayList<>();
    long ioFailures = 0;
    String[] hosts = {"shop", "cart", "search"};
    long answered = 0;
    for (int i = 0; i < DISTINCT; i++) {
      String host = hosts[i % 3];
      String value = Long.toString(random.nextLong(), 36) + i;
      Headers.Builder h = Headers.of().newBuilder();
      switch (i % 4) {
        case 0 -> h.addUnsafeNonAscii("Cookie", "lb=" + value + "; JSESSIONID=" + value);
        case 1 -> h.addUnsafeNonAscii("X-User", value);
        case 2 -> h.addUnsafeNonAscii("X-Route", value).addUnsafeNonAscii("Cookie", "lb=" + value);
        default -> h.addUnsafeNonAscii("Cookie", "JSESSIONID=" + value + "\r\n\u00ff");
      }
      try (Response r = client.newCall(new Request.Builder().url("http://" + host + "/").headers(h.build()).build()).execute()) {
        if (r.code() == 200) {
          answered++;
        }
      } catch (IOException e) {
        ioFailures++;
      } catch (RuntimeException | Error e) {
        if (crashes.size() < 10) {
          crashes.add(e.toString());
        }
      }
    }
    Map<InetSocketAddress, Long> received = backend.received();
    long outside = 0;
    Set<InetSocketAddress> all = new HashSet<>();
    allowed.values().forEach(all::addAll);
    for (Map.Entry<InetSocketAddress, Long> e : received.entrySet()) {
      if (!all.contains(e.getKey())) {
        outside += e.getValue();
      }
    }
    long total = received.values().stream().mapToLong(Long::longValue).sum();
    boolean pass = crashes.isEmpty() && outside == 0 && ioFailures == 0 && total == DISTINCT && answered == DISTINCT;
    ScenarioTable.record("14 distinct", DISTINCT + " distinct hostile cookie and header values, in-process",
        "0 crashes; 0 requests outside the cluster's servers",
        total + " attempts, " + crashes.size() + " crashes, " + ioFailures + " I/O failures, " + outside
            + " outside the clusters", pass);
    assertEquals(List.of(), crashes);
    assertEquals(0, ioFailures);
    assertEquals(0, outside, "attempts addressed outside every cluster: " + received);
    assertEquals(DISTINCT, total);
    assertEquals(DISTINCT, answered);
  }

  private static Set<InetSocketAddress> addresses(int from, int to) {
    Set<InetSocketAddress> out = new HashSet<>();
    for (Server s : servers(from, to)) {
      out.add(new InetSocketAddress(s.host(), s.port()));
    }
    return out;
  }

  private static int[] counts() {
    int[] c = new int[backends.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = backends.get(i).requests();
    }
    return c;
  }

  /** A balancer-cookie token lbkit issued, and the backend that answered. */
  private record Issued(String token, int backend) {}

  private static Issued token(OkHttpClient client, String url) throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
      String setCookie = r.header("Set-Cookie");
      assertTrue(setCookie != null && setCookie.startsWith("lb="), "balancer cookie issued: " + setCookie);
      return new Issued(setCookie.substring(3, setCookie.indexOf(';')), Integer.parseInt(r.header(TestBackend.BACKEND_HEADER)));
    }
  }

  /**
   * One call; the index of the backend that answered, or -1 when the backend's HTTP server
   * refused the request itself (a 400 or 431 for a malformed or oversized header, without the
   * backend's {@code X-Backend} header).
   */
  private static int send(OkHttpClient client, String host, Headers.Builder headers) throws IOException {
    try (Response r = client.newCall(new Request.Builder().url("http://" + host + "/").headers(headers.build()).build()).execute()) {
      String backend = r.header(TestBackend.BACKEND_HEADER);
      return backend == null ? -1 : Integer.parseInt(backend);
    }
  }

  /**
   * Records, for every attempt, the logical host of its call and the address of the connection
   * OkHttp gave it: where the request really went, whether or not the server then handled it.
   */
  private static final class Connections extends EventListener {
    final Map<String, Set<InetSocketAddress>> byHost = new ConcurrentHashMap<>();

    @Override
    public void connectionAcquired(Call call, Connection connection) {
      byHost.computeIfAbsent(call.request().url().host(), h -> ConcurrentHashMap.newKeySet())
          .add(connection.route().socketAddress());
    }
  }

  /** Outcomes of the loopback calls. */
  private static final class Tally {
    int ok;
    int refusedByServer;
    int ioFailures;
    int wrongCluster;
    final List<String> crashes = new ArrayList<>();

    /** Sends one call to {@code host} and counts how it ended. */
    void send(OkHttpClient client, String host, Headers.Builder headers) {
      int backend;
      try {
        backend = Scenario14HostileInputTest.send(client, host, headers);
      } catch (IOException e) {
        ioFailures++;
        return;
      } catch (RuntimeException | Error e) {
        String shown = headers.build().toString();
        crashes.add(host + " " + (shown.length() > 80 ? shown.substring(0, 80) + "..." : shown) + ": " + e);
        return;
      }
      if (backend == -1) {
        refusedByServer++;
        return;
      }
      ok++;
      boolean inCluster = switch (host) {
        // The rule may send a shop request on to cart (X-Route "cart", which OkHttp trims to).
        case "shop" -> backend >= 0 && backend <= 4;
        case "cart" -> backend == 3 || backend == 4;
        default -> backend == 5 || backend == 6;
      };
      if (!inCluster) {
        wrongCluster++;
      }
    }
  }
}
