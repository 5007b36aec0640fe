package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.StickyPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Cookie;
import okhttp3.CookieJar;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Row 16: redirects out of a cluster never carry the caller's credentials or cookies, and HTTPS
 * never redirects to HTTP.
 *
 * <p>Cluster {@code app} (two loopback servers, balancer-cookie stickiness, a cookie jar that
 * honours domains) answers every redirect status (301, 302, 303, 307, 308) to GET and to a POST
 * with a body, pointing at a foreign host ({@code 127.0.0.1} on another server, reached as a
 * pass-through call) and at another cluster ({@code billing}). Each request carries {@code
 * Authorization}, {@code Proxy-Authorization} and an explicit {@code Cookie}, and the jar holds
 * the application's session cookie and lbkit's sticky cookie for {@code app}. Every request the
 * foreign server and {@code billing} receive is inspected.
 *
 * <p>Then cluster {@code secure} (HTTPS, a certificate for its logical name) redirects to the
 * same HTTP targets: the caller gets the redirect itself and no HTTP server sees a request.
 */
class Scenario16RedirectsTest {

  private static final int[] CODES = {301, 302, 303, 307, 308};
  private static final List<String> CREDENTIALS = List.of("Authorization", "Proxy-Authorization", "Cookie");

  private final List<MockWebServer> servers = new ArrayList<>();
  private Recorder foreign;
  private Recorder billing;

  @BeforeEach
  void start() throws IOException {
    foreign = new Recorder();
    billing = new Recorder();
  }

  @AfterEach
  void stop() {
    for (MockWebServer s : servers) {
      s.close();
    }
  }

  @Test
  void credentialsAndCookiesNeverFollowARedirectToAnotherHost() throws Exception {
    int foreignPort = serve(foreign, null);
    int billingPort = serve(billing, null);
    Recorder app = new Recorder();
    List<Server> appServers = List.of(Server.of("127.0.0.1", serve(app, null)), Server.of("127.0.0.1", serve(app, null)));
    JarOfDomains jar = new JarOfDomains();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient.Builder().cookieJar(jar).build(), LbConfig.builder()
        .cluster("app", balancer("app", appServers))
        .cluster("billing", balancer("billing", List.of(Server.of("127.0.0.1", billingPort))))
        .sticky("app", StickyPolicy.balancerCookie("lb"))
        .build());
    // The application's session cookie, and lbkit's sticky cookie, land in the jar under "app".
    app.answer("/login", new MockResponse.Builder().addHeader("Set-Cookie", "session=s3cret; Path=/").body("in").build());
    try (Response r = client.newCall(new Request.Builder().url("http://app/login").build()).execute()) {
      assertEquals("in", r.body().string());
    }
    assertEquals(List.of("lb", "session"), jar.names(HttpUrl.get("http://app/")), "cookies in the jar for app");

    String[] targets = {"http://127.0.0.1:" + foreignPort + "/landing", "http://billing/landing"};
    int calls = 0;
    int followed = 0;
    for (String target : targets) {
      for (int code : CODES) {
        for (String method : List.of("GET", "POST")) {
          String path = "/r" + code + method + (target.contains("billing") ? "b" : "f");
          app.answer(path, new MockResponse.Builder().code(code).addHeader("Location", target).build());
          try (Response r = client.newCall(withCredentials(new Request.Builder().url("http://app" + path), method).build()).execute()) {
            calls++;
            if (r.code() == 200) {
              followed++;
            }
          }
        }
      }
    }
    // The credentials and cookies were there to leak: the cluster itself got them all.
    for (RecordedRequest r : app.requests) {
      if (r.getUrl().encodedPath().startsWith("/r")) {
        assertEquals(CREDENTIALS.size(), app.leaks(r).size(), "credentials on the cluster's own request " + r.getUrl());
        assertTrue(r.getHeaders().get("Cookie").contains("session=s3cret"), r.getHeaders().get("Cookie"));
      }
    }
    List<String> leaks = new ArrayList<>();
    leaks.addAll(foreign.leaks());
    leaks.addAll(billing.leaks());
    int received = foreign.requests.size() + billing.requests.size();
    // Every redirect is followed: 307 and 308 resend the POST's body, which can be sent again.
    boolean pass = leaks.isEmpty() && received == calls && followed == calls;
    ScenarioTable.record("16 cross-host", "redirects 301/302/303/307/308 × GET/POST from cluster app to a foreign host and to"
            + " another cluster, with Authorization, Proxy-Authorization, Cookie and jar cookies",
        "0 credentials or cookies sent to a foreign host",
        calls + " redirects followed " + followed + ", " + received + " requests at the other hosts, "
            + leaks.size() + " carrying credentials or cookies", pass);
    assertEquals(List.of(), leaks, "credentials or cookies that reached another host");
    assertEquals(calls, followed, "redirects followed");
    assertEquals(calls, received, "requests at the other hosts");
  }

  @Test
  void httpsNeverRedirectsToHttp() throws Exception {
    HeldCertificate root = new HeldCertificate.Builder().certificateAuthority(0).commonName("row 16 root").ecdsa256().build();
    HeldCertificate secureCert = new HeldCertificate.Builder().addSubjectAlternativeName("secure").commonName("secure")
        .signedBy(root).ecdsa256().build();
    HandshakeCertificates serverCerts = new HandshakeCertificates.Builder().heldCertificate(secureCert).build();
    HandshakeCertificates trust = new HandshakeCertificates.Builder().addTrustedCertificate(root.certificate()).build();
    Recorder secure = new Recorder();
    int securePort = serve(secure, serverCerts);
    int foreignPort = serve(foreign, null);
    int billingPort = serve(billing, null);
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient.Builder().sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())
        .build(), LbConfig.builder()
        .cluster("secure", balancer("secure", List.of(Server.of("127.0.0.1", securePort))))
        .cluster("billing", balancer("billing", List.of(Server.of("127.0.0.1", billingPort))))
        .build());
    int calls = 0;
    int returned = 0;
    for (String target : List.of("http://127.0.0.1:" + foreignPort + "/landing", "http://billing/landing")) {
      for (int code : CODES) {
        String path = "/s" + code + (target.contains("billing") ? "b" : "f");
        secure.answer(path, new MockResponse.Builder().code(code).addHeader("Location", target).build());
        try (Response r = client.newCall(withCredentials(new Request.Builder().url("https://secure" + path), "GET").build()).execute()) {
          calls++;
          if (r.code() == code && target.equals(r.header("Location"))) {
            returned++;
          }
        }
      }
    }
    int received = foreign.requests.size() + billing.requests.size();
    boolean pass = received == 0 && returned == calls && secure.requests.size() == calls;
    ScenarioTable.record("16 https→http", "HTTPS cluster redirects (5 codes) to an HTTP foreign host and an HTTP cluster",
        "HTTPS→HTTP refused: the redirect is returned, 0 plain-HTTP requests",
        returned + "/" + calls + " redirects returned as is, " + received + " plain-HTTP requests", pass);
    assertEquals(calls, returned, "redirects returned to the caller as they came");
    assertEquals(0, received, "plain-HTTP requests after an HTTPS redirect");
  }

  private static Request.Builder withCredentials(Request.Builder b, String method) {
    b.header("Authorization", "Bearer s3cret").header("Proxy-Authorization", "Basic cHJveHk6czNjcmV0")
        .header("Cookie", "explicit=s3cret");
    if (method.equals("POST")) {
      b.post(RequestBody.create("order=1", MediaType.get("application/x-www-form-urlencoded")));
    }
    return b;
  }

  private static LoadBalancer balancer(String name, List<Server> list) {
    return LoadBalancer.builder(name).algorithm(Algorithms.roundRobin()).servers(list).build();
  }

  private int serve(Recorder recorder, HandshakeCertificates tls) throws IOException {
    MockWebServer s = new MockWebServer();
    s.setDispatcher(recorder);
    if (tls != null) {
      s.useHttps(tls.sslSocketFactory());
    }
    s.start(InetAddress.getByName("127.0.0.1"), 0);
    servers.add(s);
    return s.getPort();
  }

  /** Records every request; answers by path, else 200. */
  private static final class Recorder extends Dispatcher {
    final BlockingQueue<RecordedRequest> requests = new LinkedBlockingQueue<>();
    private final Map<String, MockResponse> answers = new ConcurrentHashMap<>();

    void answer(String path, MockResponse response) {
      answers.put(path, response);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      requests.add(request);
      MockResponse r = answers.get(request.getUrl().encodedPath());
      return r != null ? r : new MockResponse.Builder().code(200).body("landed").build();
    }

    /** The credential and cookie headers of every request received, one line each. */
    List<String> leaks() {
      List<String> out = new ArrayList<>();
      for (RecordedRequest r : requests) {
        out.addAll(leaks(r));
      }
      return out;
    }

    List<String> leaks(RecordedRequest r) {
      List<String> out = new ArrayList<>();
      for (String h : CREDENTIALS) {
        if (r.getHeaders().get(h) != null) {
          out.add(r.getMethod() + " " + r.getUrl() + ": " + h + ": " + r.getHeaders().get(h));
        }
      }
      return out;
    }
  }

  /** An in-memory jar that sends a cookie only where its domain matches, as a browser does. */
  private static final class JarOfDomains implements CookieJar {
    private final List<Cookie> cookies = new CopyOnWriteArrayList<>();

    @Override
    public void saveFromResponse(HttpUrl url, List<Cookie> list) {
      for (Cookie c : list) {
        cookies.removeIf(old -> old.name().equals(c.name()) && old.domain().equals(c.domain()));
        cookies.add(c);
      }
    }

    @Override
    public List<Cookie> loadForRequest(HttpUrl url) {
      List<Cookie> out = new ArrayList<>();
      for (Cookie c : cookies) {
        if (c.matches(url)) {
          out.add(c);
        }
      }
      return out;
    }

    List<String> names(HttpUrl url) {
      return loadForRequest(url).stream().map(Cookie::name).sorted().toList();
    }
  }
}
