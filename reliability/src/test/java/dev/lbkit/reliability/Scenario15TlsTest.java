package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.RetryPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.IntFunction;
import javax.net.ssl.SSLPeerUnverifiedException;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.CertificatePinner;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Row 15: TLS after lbkit rewrote the attempt's address. Three HTTPS MockWebServers on loopback
 * (certificates from okhttp-tls, signed by a test root) serve cluster {@code pay.example}; lbkit
 * sends each attempt to {@code 127.0.0.1:port}, yet the handshake must still be about the
 * logical name:
 * <ul>
 *   <li>SNI is {@code pay.example} on every connection to every server, and so is the Host
 *       header;
 *   <li>hostname verification checks {@code pay.example}: servers presenting a certificate for
 *       another name fail every call, before any request is sent;
 *   <li>a pin of {@code pay.example} is enforced: the right pin passes, a wrong pin fails every
 *       call, also on a client that shares a connection pool already warmed by a correctly pinned
 *       client;
 *   <li>with {@link LbConfig.TlsName#SERVER}, each server is verified under its own {@code
 *       tls-name}, and the logical host's pins still apply.
 * </ul>
 */
class Scenario15TlsTest {

  private static final String HOST = "pay.example";
  private static final int SERVERS = 3;
  private static final int CALLS = 12;
  /** Calls expected to fail their handshake, one per server: each costs a full handshake. */
  private static final int REFUSED = SERVERS;

  private static HeldCertificate root;
  private static HeldCertificate payCert;
  private static HeldCertificate otherCert;
  private static HandshakeCertificates trust;

  private final List<MockWebServer> started = new ArrayList<>();

  @BeforeAll
  static void certificates() {
    root = new HeldCertificate.Builder().certificateAuthority(0).commonName("row 15 root").ecdsa256().build();
    payCert = leaf(HOST);
    otherCert = leaf("other.example");
    trust = new HandshakeCertificates.Builder().addTrustedCertificate(root.certificate()).build();
  }

  private static HeldCertificate leaf(String name) {
    return new HeldCertificate.Builder().addSubjectAlternativeName(name).commonName(name).signedBy(root).ecdsa256().build();
  }

  @AfterEach
  void stop() {
    for (MockWebServer s : started) {
      s.close();
    }
  }

  @Test
  void sniAndHostnameVerificationUseTheLogicalName() throws Exception {
    Recorder ok = new Recorder();
    List<Server> servers = serve(ok, i -> payCert, false);
    int passed = calls(client(base().build(), servers, LbConfig.TlsName.LOGICAL), CALLS).passed;
    List<String> wrongNames = new ArrayList<>();
    int[] perServer = new int[SERVERS];
    for (Received received : ok.requests) {
      RecordedRequest r = received.request();
      if (!List.of(HOST).equals(r.getHandshakeServerNames())) {
        wrongNames.add("SNI " + r.getHandshakeServerNames());
      }
      // HTTP/2 over TLS: the Host header travels as :authority.
      if (!HOST.equals(r.getHeaders().get(":authority"))) {
        wrongNames.add("authority " + r.getHeaders().get(":authority"));
      }
      perServer[received.server()]++;
    }

    Recorder impostor = new Recorder();
    List<Server> impostors = serve(impostor, i -> otherCert, false);
    Outcomes refused = calls(client(base().build(), impostors, LbConfig.TlsName.LOGICAL), REFUSED);
    boolean pass = passed == CALLS && wrongNames.isEmpty() && refused.unverified == REFUSED && impostor.requests.isEmpty();
    ScenarioTable.record("15 SNI", "HTTPS cluster " + HOST + " of " + SERVERS + " servers at 127.0.0.1, then servers"
            + " presenting another name's certificate",
        "SNI and hostname verification use the logical name",
        passed + "/" + CALLS + " calls passed with SNI and authority " + HOST + " (" + wrongNames.size() + " other);"
            + " wrong certificate: " + refused.unverified + "/" + REFUSED + " refused \"Hostname " + HOST
            + " not verified\", " + impostor.requests.size() + " requests sent", pass);
    assertEquals(CALLS, passed);
    assertEquals(List.of(), wrongNames);
    for (int n : perServer) {
      assertTrue(n > 0, "every server served calls: " + Arrays.toString(perServer));
    }
    assertEquals(REFUSED, refused.unverified, refused.failures.toString());
    assertEquals(0, impostor.requests.size(), "requests sent to a server that failed verification");
  }

  @Test
  void pinsOfTheLogicalNameAreEnforcedAndAWrongPinFails() throws Exception {
    Recorder recorder = new Recorder();
    List<Server> servers = serve(recorder, i -> payCert, false);
    CertificatePinner right = new CertificatePinner.Builder().add(HOST, CertificatePinner.pin(payCert.certificate())).build();
    CertificatePinner wrong = new CertificatePinner.Builder().add(HOST, CertificatePinner.pin(otherCert.certificate())).build();
    ConnectionPool shared = new ConnectionPool();
    int passed = calls(client(base().connectionPool(shared).certificatePinner(right).build(), servers,
        LbConfig.TlsName.LOGICAL), CALLS).passed;
    int served = recorder.requests.size();
    // The pool now holds verified connections to every server; the wrong pin must not reuse them.
    Outcomes pinned = calls(client(base().connectionPool(shared).certificatePinner(wrong).build(), servers,
        LbConfig.TlsName.LOGICAL), REFUSED);
    int servedToWrongPin = recorder.requests.size() - served;

    List<Server> named = serve(recorder, i -> leaf("node-" + i + ".pay.internal"), true);
    int before = recorder.requests.size();
    int serverNamePassed = calls(client(base().certificatePinner(new CertificatePinner.Builder()
        .add(HOST, CertificatePinner.pin(root.certificate())).build()).build(), named, LbConfig.TlsName.SERVER), CALLS).passed;
    List<String> wrongSni = new ArrayList<>();
    for (Received r : recorder.requests.stream().skip(before).toList()) {
      String expected = "node-" + r.server() + ".pay.internal";
      if (!List.of(expected).equals(r.request().getHandshakeServerNames())) {
        wrongSni.add(expected + ": " + r.request().getHandshakeServerNames());
      }
    }
    int beforeWrong = recorder.requests.size();
    Outcomes serverNamePinned = calls(client(base().certificatePinner(wrong).build(), named, LbConfig.TlsName.SERVER), REFUSED);
    int servedToWrongServerPin = recorder.requests.size() - beforeWrong;

    boolean pass = passed == CALLS && pinned.pinFailures == REFUSED && servedToWrongPin == 0
        && serverNamePassed == CALLS && wrongSni.isEmpty() && serverNamePinned.pinFailures == REFUSED
        && servedToWrongServerPin == 0;
    ScenarioTable.record("15 pins", "pins of " + HOST + " over " + SERVERS + " servers: right pin, wrong pin on a shared"
            + " warm pool; tls-name per server with the logical pins",
        "pins enforced; a wrong pin fails",
        "right pin " + passed + "/" + CALLS + " passed; wrong pin " + pinned.pinFailures + "/" + REFUSED
            + " \"Certificate pinning failure!\", " + servedToWrongPin + " requests sent; per-server names "
            + serverNamePassed + "/" + CALLS + " passed (" + wrongSni.size() + " other SNI), wrong pin "
            + serverNamePinned.pinFailures + "/" + REFUSED + " failed, " + servedToWrongServerPin + " sent", pass);
    assertEquals(CALLS, passed);
    assertEquals(REFUSED, pinned.pinFailures, pinned.failures.toString());
    assertEquals(0, servedToWrongPin, "requests sent under a wrong pin");
    assertEquals(CALLS, serverNamePassed);
    assertEquals(List.of(), wrongSni);
    assertEquals(REFUSED, serverNamePinned.pinFailures, serverNamePinned.failures.toString());
    assertEquals(0, servedToWrongServerPin, "requests sent under a wrong pin");
  }

  private static OkHttpClient.Builder base() {
    return new OkHttpClient.Builder().sslSocketFactory(trust.sslSocketFactory(), trust.trustManager());
  }

  private static OkHttpClient client(OkHttpClient base, List<Server> servers, LbConfig.TlsName tlsName) {
    LoadBalancer lb = LoadBalancer.builder(HOST).algorithm(Algorithms.roundRobin()).servers(servers).build();
    return LbOkHttp.wrap(base, LbConfig.builder().tlsName(tlsName).cluster(HOST, lb)
        .retryPolicy(RetryPolicy.NONE).build());
  }

  private static Outcomes calls(OkHttpClient client, int n) {
    Outcomes o = new Outcomes();
    for (int i = 0; i < n; i++) {
      try (Response r = client.newCall(new Request.Builder().url("https://" + HOST + "/pay/" + i).build()).execute()) {
        if (r.code() == 200 && "paid".equals(r.body().string())) {
          o.passed++;
        } else {
          o.failures.add("status " + r.code());
        }
      } catch (SSLPeerUnverifiedException e) {
        if (e.getMessage().startsWith("Hostname " + HOST + " not verified")) {
          o.unverified++;
        } else if (e.getMessage().startsWith("Certificate pinning failure!")) {
          o.pinFailures++;
        } else {
          o.failures.add(e.toString());
        }
      } catch (IOException e) {
        o.failures.add(e.toString());
      }
    }
    return o;
  }

  /** Starts {@value #SERVERS} HTTPS servers; server {@code i} presents {@code cert.apply(i)}. */
  private List<Server> serve(Recorder recorder, IntFunction<HeldCertificate> cert, boolean tlsNames)
      throws IOException {
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < SERVERS; i++) {
      MockWebServer s = new MockWebServer();
      s.setDispatcher(recorder.forServer(i));
      s.useHttps(new HandshakeCertificates.Builder().heldCertificate(cert.apply(i)).build().sslSocketFactory());
      s.start(InetAddress.getByName("127.0.0.1"), 0);
      started.add(s);
      Server.Builder b = Server.builder("127.0.0.1", s.getPort());
      if (tlsNames) {
        b.metadata(LbConfig.TLS_NAME_METADATA, "node-" + i + ".pay.internal");
      }
      servers.add(b.build());
    }
    return servers;
  }

  /** How a batch of calls ended. */
  private static final class Outcomes {
    int passed;
    int unverified;
    int pinFailures;
    final List<String> failures = new ArrayList<>();
  }

  /** A request and the index of the server that received it. */
  private record Received(int server, RecordedRequest request) {}

  /** Records every request of a set of servers, with the server's index; answers "paid". */
  private static final class Recorder {
    final BlockingQueue<Received> requests = new LinkedBlockingQueue<>();

    Dispatcher forServer(int index) {
      return new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          requests.add(new Received(index, request));
          return new MockResponse.Builder().code(200).body("paid").build();
        }
      };
    }
  }
}
