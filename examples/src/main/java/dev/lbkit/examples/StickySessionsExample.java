package dev.lbkit.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.StickyPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Cookie;
import okhttp3.CookieJar;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Sticky sessions through the OkHttp wrapper, in the three forms lbkit offers. Each is opt-in,
 * per cluster, with {@link LbConfig.Builder#sticky}:
 *
 * <ul>
 *   <li><b>Balancer cookie</b> ({@link StickyPolicy#balancerCookie}): lbkit sets its own cookie,
 *       an opaque token for the chosen server (never its address), and routes requests that
 *       carry it to that server while it is pickable. The client needs a {@link CookieJar}.
 *   <li><b>Hash</b> ({@link StickyPolicy#hashHeader}): a header's value becomes the pick's hash
 *       key, and a consistent-hashing algorithm (here Maglev) maps it to a server. No state.
 *   <li><b>Application cookie</b> ({@link StickyPolicy#applicationCookie}): lbkit learns which
 *       server issued each {@code JSESSIONID} and sends the session back there; the table is a
 *       bounded cache.
 * </ul>
 *
 * <p>In every form, a value that names no pickable server of the cluster (forged, stale, or its
 * server drained) just gets a normal pick.
 */
public final class StickySessionsExample {

  /** The users of the header-hash form. */
  static final List<String> USERS = List.of("alice", "bob", "carol", "dave", "erin", "frank");

  private StickySessionsExample() {}

  /** Runs the three forms against three local backends and prints which backend answered. */
  public static void main(String[] args) throws IOException {
    System.setProperty("sun.net.httpserver.nodelay", "true");   // else 40 ms per call (Nagle)
    List<Backend> backends = List.of(Backend.start("a"), Backend.start("b"), Backend.start("c"));
    List<Server> servers = new ArrayList<>();
    backends.forEach(b -> servers.add(b.server()));
    OkHttpClient base = new OkHttpClient.Builder().cookieJar(new MemoryCookieJar()).build();
    try {
      System.out.println("balancer cookie, 5 calls, drain, 5 calls: " + names(balancerCookie(base, servers)));
      List<String> hashed = hashHeader(base, servers);
      for (int round = 0; round < hashed.size() / USERS.size(); round++) {
        StringBuilder line = new StringBuilder("header hash, round " + (round + 1) + ":");
        for (String answer : hashed.subList(round * USERS.size(), (round + 1) * USERS.size())) {
          String user = answer.substring(0, answer.indexOf('='));
          line.append(' ').append(user).append("->").append(name(answer.substring(user.length() + 1)));
        }
        System.out.println(line);
      }
      System.out.println("application cookie, login then 4 calls: " + names(applicationCookie(base, servers)));
    } finally {
      backends.forEach(Backend::stop);
      base.connectionPool().evictAll();
    }
  }

  /** Five calls stick to one backend; after it is drained, they stick to another. */
  static List<String> balancerCookie(OkHttpClient base, List<Server> servers) throws IOException {
    List<String> answers = new ArrayList<>();
    // README:sticky
    LoadBalancer cart = LoadBalancer.builder("cart").servers(servers).build();
    OkHttpClient client = LbOkHttp.wrap(base, LbConfig.builder()
        .cluster("cart", cart)
        .sticky("cart", StickyPolicy.balancerCookie("lb-cart"))   // needs a CookieJar on base
        .build());
    // README:end
    try (cart) {
      for (int i = 0; i < 5; i++) {
        answers.add(get(client, "http://cart/items", Map.of()));
      }
      Server first = servers.stream().filter(s -> s.port() == port(answers.get(0))).findFirst().orElseThrow();
      cart.drain(first);                                    // its cookie now names no pickable server
      for (int i = 0; i < 5; i++) {
        answers.add(get(client, "http://cart/items", Map.of()));
      }
    }
    return answers;
  }

  /**
   * Each user's calls land on one backend, without any state in the client: three rounds over
   * {@link #USERS}, answers as {@code "user=name@port"}.
   */
  static List<String> hashHeader(OkHttpClient base, List<Server> servers) throws IOException {
    List<String> answers = new ArrayList<>();
    try (LoadBalancer profiles = LoadBalancer.builder("profiles")
        .servers(servers)
        .algorithm(Algorithms.maglev().build())
        .build()) {
      OkHttpClient client = LbOkHttp.wrap(base, LbConfig.builder()
          .cluster("profiles", profiles)
          .sticky("profiles", StickyPolicy.hashHeader("X-User"))
          .build());
      for (int round = 0; round < 3; round++) {
        for (String user : USERS) {
          answers.add(user + "=" + get(client, "http://profiles/me", Map.of("X-User", user)));
        }
      }
    }
    return answers;
  }

  /** A session opened by {@code /login} on one backend keeps going to it. */
  static List<String> applicationCookie(OkHttpClient base, List<Server> servers) throws IOException {
    List<String> answers = new ArrayList<>();
    try (LoadBalancer accounts = LoadBalancer.builder("accounts").servers(servers).build()) {
      OkHttpClient client = LbOkHttp.wrap(base, LbConfig.builder()
          .cluster("accounts", accounts)
          .sticky("accounts", StickyPolicy.applicationCookie("JSESSIONID"))
          .build());
      answers.add(get(client, "http://accounts/login", Map.of()));   // the backend sets JSESSIONID
      for (int i = 0; i < 4; i++) {
        answers.add(get(client, "http://accounts/balance", Map.of()));
      }
    }
    return answers;
  }

  private static String get(OkHttpClient client, String url, Map<String, String> headers) throws IOException {
    Request.Builder request = new Request.Builder().url(url);
    headers.forEach(request::header);
    try (Response response = client.newCall(request.build()).execute()) {
      return response.body().string();
    }
  }

  /** Backends answer {@code "name@port"}. */
  static String name(String answer) {
    return answer.substring(0, answer.indexOf('@'));
  }

  private static int port(String answer) {
    return Integer.parseInt(answer.substring(answer.indexOf('@') + 1));
  }

  private static List<String> names(List<String> answers) {
    List<String> names = new ArrayList<>();
    answers.forEach(a -> names.add(name(a)));
    return names;
  }

  /** A cookie jar that keeps cookies in memory, by host. OkHttp's default jar keeps none. */
  static final class MemoryCookieJar implements CookieJar {
    private final Map<String, Map<String, Cookie>> byHost = new ConcurrentHashMap<>();

    @Override
    public void saveFromResponse(HttpUrl url, List<Cookie> cookies) {
      Map<String, Cookie> jar = byHost.computeIfAbsent(url.host(), h -> new ConcurrentHashMap<>());
      cookies.forEach(c -> jar.put(c.name(), c));
    }

    @Override
    public List<Cookie> loadForRequest(HttpUrl url) {
      return new ArrayList<>(byHost.getOrDefault(url.host(), Map.of()).values());
    }
  }

  /** A local backend that answers {@code "name@port"}; {@code /login} also opens a session. */
  static final class Backend {
    private final String name;
    private final HttpServer http;
    private final AtomicInteger sessions = new AtomicInteger();

    private Backend(String name) {
      this.name = name;
      try {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static Backend start(String name) {
      Backend b = new Backend(name);
      b.http.createContext("/", b::handle);
      b.http.start();
      return b;
    }

    Server server() {
      return Server.of("127.0.0.1", http.getAddress().getPort());
    }

    void stop() {
      http.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
      try {
        if (exchange.getRequestURI().getPath().equals("/login")) {
          exchange.getResponseHeaders().add("Set-Cookie",
              "JSESSIONID=" + name + "-" + sessions.incrementAndGet() + "; Path=/");
        }
        byte[] body = (name + "@" + http.getAddress().getPort()).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      } finally {
        exchange.close();
      }
    }
  }
}
