package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Server;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.CertificatePinner;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TlsTest {
  private static HeldCertificate root;
  private static HeldCertificate usersCert;
  private static HeldCertificate otherCert;
  private static HeldCertificate backendCert;
  private static HeldCertificate clientCert;

  private MockWebServer server;
  private Backends.FakeDispatcher dispatcher;

  @BeforeAll
  static void certificates() {
    root = new HeldCertificate.Builder().certificateAuthority(0).commonName("lbkit test root").ecdsa256().build();
    usersCert = leaf("users.example");
    otherCert = leaf("other.example");
    backendCert = leaf("backend-1.example");
    clientCert = new HeldCertificate.Builder().commonName("client-1").signedBy(root).ecdsa256().build();
  }

  private static HeldCertificate leaf(String name) {
    return new HeldCertificate.Builder().addSubjectAlternativeName(name).commonName(name).signedBy(root).ecdsa256().build();
  }

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  private Server start(HeldCertificate cert, boolean requireClientAuth) throws IOException {
    server = new MockWebServer();
    dispatcher = new Backends.FakeDispatcher(0);
    server.setDispatcher(dispatcher);
    HandshakeCertificates serverCerts = new HandshakeCertificates.Builder().heldCertificate(cert)
        .addTrustedCertificate(root.certificate()).build();
    server.useHttps(serverCerts.sslSocketFactory());
    if (requireClientAuth) {
      server.requireClientAuth();
    }
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    return Server.of("127.0.0.1", server.getPort());
  }

  private static OkHttpClient.Builder trusting(HeldCertificate clientIdentity) {
    HandshakeCertificates.Builder b = new HandshakeCertificates.Builder().addTrustedCertificate(root.certificate());
    if (clientIdentity != null) {
      b.heldCertificate(clientIdentity);
    }
    HandshakeCertificates c = b.build();
    return new OkHttpClient.Builder().sslSocketFactory(c.sslSocketFactory(), c.trustManager())
        .dns(new Backends.FakeDns("outside"));
  }

  private static OkHttpClient wrap(OkHttpClient base, Server s, LbConfig.TlsName tlsName) {
    return LbOkHttp.wrap(base, LbConfig.builder().tlsName(tlsName)
        .cluster("users.example", Backends.roundRobin("users.example", List.of(s))).build());
  }

  private static String get(OkHttpClient client) throws IOException {
    try (Response r = client.newCall(new Request.Builder().url("https://users.example/").build()).execute()) {
      return r.code() + " " + r.body().string();
    }
  }

  @Test
  void handshakeUsesTheLogicalNameForSniAndVerification() throws Exception {
    Server s = start(usersCert, false);
    assertEquals("200 0", get(wrap(trusting(null).build(), s, LbConfig.TlsName.LOGICAL)));
    RecordedRequest recorded = dispatcher.recorded.take();
    assertEquals(List.of("users.example"), recorded.getHandshakeServerNames());
  }

  @Test
  void certificateForAnotherHostIsRejected() throws IOException {
    Server s = start(otherCert, false);
    IOException e = assertThrows(IOException.class, () -> get(wrap(trusting(null).build(), s, LbConfig.TlsName.LOGICAL)));
    assertTrue(e instanceof SSLPeerUnverifiedException, e.toString());
    assertTrue(e.getMessage().startsWith("Hostname users.example not verified"), e.getMessage());
    assertEquals(0, dispatcher.count.get());
  }

  @Test
  void pinsOfTheLogicalHostAreEnforced() throws IOException {
    Server s = start(usersCert, false);
    CertificatePinner wrongPin = new CertificatePinner.Builder()
        .add("users.example", CertificatePinner.pin(otherCert.certificate())).build();
    IOException e = assertThrows(IOException.class,
        () -> get(wrap(trusting(null).certificatePinner(wrongPin).build(), s, LbConfig.TlsName.LOGICAL)));
    assertTrue(e instanceof SSLPeerUnverifiedException, e.toString());
    assertTrue(e.getMessage().startsWith("Certificate pinning failure!"), e.getMessage());
    CertificatePinner rightPin = new CertificatePinner.Builder()
        .add("users.example", CertificatePinner.pin(usersCert.certificate())).build();
    assertEquals("200 0", get(wrap(trusting(null).certificatePinner(rightPin).build(), s, LbConfig.TlsName.LOGICAL)));
  }

  @Test
  void serverTlsNameVerifiesEachServerAndStillAppliesTheLogicalPins() throws Exception {
    start(backendCert, false);
    Server s = Server.builder("127.0.0.1", server.getPort()).metadata(LbConfig.TLS_NAME_METADATA, "backend-1.example").build();
    // The logical name no longer has to be on the certificate ...
    assertEquals("200 0", get(wrap(trusting(null).build(), s, LbConfig.TlsName.SERVER)));
    RecordedRequest recorded = dispatcher.recorded.take();
    assertEquals(List.of("backend-1.example"), recorded.getHandshakeServerNames());
    // HTTP/2 here: the Host header travels as :authority.
    assertEquals("users.example", recorded.getHeaders().get(":authority"), "the Host header stays logical");
    // ... but pins configured for the logical name are not silently skipped.
    CertificatePinner wrongPin = new CertificatePinner.Builder()
        .add("users.example", CertificatePinner.pin(otherCert.certificate())).build();
    IOException e = assertThrows(IOException.class,
        () -> get(wrap(trusting(null).certificatePinner(wrongPin).build(), s, LbConfig.TlsName.SERVER)));
    assertTrue(e.getMessage().startsWith("Certificate pinning failure!"), e.getMessage());
    CertificatePinner rightPin = new CertificatePinner.Builder()
        .add("users.example", CertificatePinner.pin(backendCert.certificate())).build();
    assertEquals("200 0", get(wrap(trusting(null).certificatePinner(rightPin).build(), s, LbConfig.TlsName.SERVER)));
  }

  @Test
  void clientCertificateWorksThroughTheBaseSocketFactory() throws Exception {
    Server s = start(usersCert, true);
    assertEquals("200 0", get(wrap(trusting(clientCert).build(), s, LbConfig.TlsName.LOGICAL)));
    RecordedRequest recorded = dispatcher.recorded.take();
    assertEquals("CN=client-1", recorded.getHandshake().peerPrincipal().getName());
    assertThrows(IOException.class, () -> get(wrap(trusting(null).build(), s, LbConfig.TlsName.LOGICAL)));
  }

  @Test
  void httpsToHttpRedirectIsRefusedByDefault() throws IOException {
    try (Backends plain = Backends.start(1)) {
      Server s = start(usersCert, false);
      String target = "http://outside:" + plain.servers.get(0).getPort() + "/landing";
      dispatcher.always = new MockResponse.Builder().code(302).addHeader("Location", target).build();
      assertEquals("302 ", get(wrap(trusting(null).build(), s, LbConfig.TlsName.LOGICAL)));
      assertEquals(0, plain.dispatcher(0).count.get());
      OkHttpClient allowing = LbOkHttp.wrap(trusting(null).build(), LbConfig.builder().allowHttpsToHttpRedirects(true)
          .cluster("users.example", Backends.roundRobin("users.example", List.of(s))).build());
      assertEquals("200 0", get(allowing));
      assertEquals(1, plain.dispatcher(0).count.get());
    }
  }
}
