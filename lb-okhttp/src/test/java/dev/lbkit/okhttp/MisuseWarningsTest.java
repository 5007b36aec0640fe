package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.api.Server;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Configurations that work but do not do what they seem to are warned about once, at WARN: a
 * balancer cookie on a client without a cookie jar, and a port in a cluster's URL. The log is
 * read from what SLF4J's simple logger writes to {@code System.err}.
 */
class MisuseWarningsTest {

  /** Runs {@code action}, returning the WARN lines it logged, without the logger's prefix. */
  static List<String> warnings(IoAction action) throws IOException {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    List<String> lines = new ArrayList<>();
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.contains(" WARN ")) {
        lines.add(line.substring(line.indexOf(" - ") + 3));
      }
    }
    return lines;
  }

  /** A step that may do I/O. */
  interface IoAction {
    void run() throws IOException;
  }

  @Test
  void aBalancerCookieOnAClientWithoutACookieJarIsWarnedAboutAtWrap() throws IOException {
    LbConfig config = LbConfig.builder()
        .cluster("cart", Backends.roundRobin("cart", List.of(Server.of("127.0.0.1", 1))))
        .sticky("cart", StickyPolicy.balancerCookie("lb-cart"))
        .build();
    assertEquals(List.of("lbkit: cluster cart sticks with the balancer cookie lb-cart, but the base client has no"
        + " CookieJar: lbkit adds Set-Cookie: lb-cart=... to each response, and a request sticks only if it carries"
        + " that cookie. Give the base client a CookieJar, or copy the cookie yourself (a gateway passing it to"
        + " browsers does)."), warnings(() -> LbOkHttp.wrap(new OkHttpClient(), config)));
    assertEquals(List.of(), warnings(() -> LbOkHttp.wrap(
        new OkHttpClient.Builder().cookieJar(new FakeCookieJar()).build(), config)), "a jar: nothing to say");
    assertEquals(List.of(), warnings(() -> LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .cluster("cart", ctx -> null).sticky("cart", StickyPolicy.hashHeader("X-User")).build())), "no cookie involved");
  }

  @Test
  void aPortInAClustersUrlIsIgnoredAndWarnedAboutOncePerClusterAndPort() throws IOException {
    try (Backends backends = Backends.start(1)) {
      OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
          .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
      List<String> answers = new ArrayList<>();
      List<String> first = warnings(() -> answers.add(BalancingTest.get(client, "http://user-service:8080/")));
      assertEquals(List.of("user-service: a request names port 8080 (http://user-service:8080/); lbkit ignores the"
          + " port of a cluster's URL and sends each attempt to the port of the server it picks. Logged once per"
          + " cluster and port."), first);
      assertEquals(List.of(), warnings(() -> answers.add(BalancingTest.get(client, "http://user-service:8080/x"))));
      assertEquals(List.of(), warnings(() -> answers.add(BalancingTest.get(client, "http://user-service/"))));
      assertEquals(List.of("200 0", "200 0", "200 0"), answers, "every request went to the server's own port");
    }
  }
}
