package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each fault of {@link FaultProxy}, seen from a raw socket in front of a real backend. */
class FaultProxyTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final Ledger ledger = new Ledger();
  private CountingBackend backend;
  private FaultProxy proxy;

  @BeforeEach
  void start() throws IOException {
    backend = CountingBackend.start(7, ledger).bodyBytes(1000);
    proxy = FaultProxy.start(backend.port(), 2);
  }

  @AfterEach
  void stop() {
    proxy.close();
    backend.close();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(LOOPBACK, proxy.port());
    s.setSoTimeout(5000);
    return s;
  }

  /** Sends one keep-alive GET and reads the answer: status line, headers and a 1,000-byte body. */
  private static String exchange(Socket s, String id) throws IOException {
    s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: x\r\n" + Ledger.REQUEST_ID + ": " + id + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("end of stream after " + head);
      }
      head.write(b);
    }
    byte[] body = in.readNBytes(1000);
    return head.toString(StandardCharsets.US_ASCII).lines().findFirst().orElseThrow() + " " + body.length;
  }

  @Test
  void passesBytesBothWaysAndKeepsTheConnection() throws IOException {
    try (Socket s = connect()) {
      assertEquals("HTTP/1.1 200 OK 1000", exchange(s, "a"));
      assertEquals("HTTP/1.1 200 OK 1000", exchange(s, "b"));
    }
    assertEquals(1, ledger.received("a"));
    assertEquals(1, ledger.received("b"));
    assertEquals(1, proxy.accepted());
  }

  @Test
  void latencyHoldsTheAnswer() throws IOException {
    proxy.latency(Duration.ofMillis(300));
    try (Socket s = connect()) {
      long t0 = System.nanoTime();
      assertEquals("HTTP/1.1 200 OK 1000", exchange(s, "a"));
      assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(300));
    }
  }

  @Test
  void blackHoleAcceptsAndNeverAnswers() throws IOException {
    proxy.blackHole();
    try (Socket s = connect()) {
      s.setSoTimeout(500);
      assertThrows(SocketTimeoutException.class, () -> exchange(s, "a"));
    }
    assertEquals(0, backend.requests(), "the request never reached the backend");
    proxy.pass();
    try (Socket s = connect()) {
      assertEquals("HTTP/1.1 200 OK 1000", exchange(s, "b"));
    }
  }

  @Test
  void dripPassesOneBytePerSecond() throws IOException {
    try (Socket s = connect()) {
      proxy.drip();
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      assertEquals('H', in.read());
      long t0 = System.nanoTime();
      assertEquals('T', in.read());
      long gap = System.nanoTime() - t0;
      assertTrue(gap >= TimeUnit.MILLISECONDS.toNanos(900), "one second between bytes, was " + gap / 1_000_000 + " ms");
      assertEquals(0, in.available(), "nothing else arrived meanwhile");
    }
  }

  @Test
  void resetAfterCutsTheBodyWithAReset() throws IOException {
    proxy.resetAfter(100);
    try (Socket s = connect()) {
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      int read = 0;
      SocketException reset = null;
      try {
        while (in.read() >= 0) {
          read++;
        }
      } catch (SocketException e) {
        reset = e;
      }
      assertEquals(100, read);
      assertTrue(reset != null && reset.getMessage().contains("reset"), "a reset, not an end of stream: " + reset);
    }
    assertEquals(1, backend.requests(), "the backend answered the request");
  }

  @Test
  void refuseRefusesNewConnectionsAndKeepsOpenOnes() throws IOException {
    try (Socket open = connect()) {
      assertEquals("HTTP/1.1 200 OK 1000", exchange(open, "a"));
      proxy.refuse();
      assertThrows(ConnectException.class, this::connect);
      assertEquals("HTTP/1.1 200 OK 1000", exchange(open, "b"));
      proxy.restart();
      try (Socket s = connect()) {
        assertEquals("HTTP/1.1 200 OK 1000", exchange(s, "c"));
      }
    }
  }

  @Test
  void aRefusingPortIsHeldSoNoOtherServerCanTakeIt() throws IOException {
    int port = proxy.port();
    proxy.refuse();
    // Another server (as a concurrent test would start) cannot bind the port, even with
    // SO_REUSEADDR as the JDK's servers set it; connections are still refused.
    try (java.net.ServerSocket other = new java.net.ServerSocket()) {
      other.setReuseAddress(true);
      assertThrows(java.net.BindException.class,
          () -> other.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
    }
    assertThrows(ConnectException.class, this::connect);
    proxy.restart();
    try (Socket s = connect()) {
      assertEquals("HTTP/1.1 200 OK 1000", exchange(s, "after"));
    }
  }

  @Test
  void killEndsEveryConnectionAndRestartListensOnTheSamePort() throws IOException {
    int port = proxy.port();
    try (Socket open = connect()) {
      assertEquals("HTTP/1.1 200 OK 1000", exchange(open, "a"));
      proxy.kill();
      assertEquals(-1, open.getInputStream().read(), "the pooled connection is at its end");
      assertThrows(ConnectException.class, this::connect);
    }
    proxy.restart();
    assertEquals(port, proxy.port());
    try (Socket s = connect()) {
      assertEquals("HTTP/1.1 200 OK 1000", exchange(s, "b"));
    }
  }

  @Test
  void connectionsBeyondTheCapAreResetAndCloseEndsEveryThread() throws IOException, InterruptedException {
    try (Socket a = connect(); Socket b = connect(); Socket c = connect()) {
      assertEquals("HTTP/1.1 200 OK 1000", exchange(a, "a"));
      assertEquals("HTTP/1.1 200 OK 1000", exchange(b, "b"));
      assertThrows(IOException.class, () -> exchange(c, "c"));
      assertEquals(1, proxy.rejected());
      assertTrue(proxy.pumpThreads() <= 4, "two threads per connection, was " + proxy.pumpThreads());
    }
    proxy.close();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      assertTrue(!t.getName().startsWith("fault-proxy-") || !t.getName().contains("->" + backend.port()) || !t.isAlive(),
          "thread alive after close: " + t.getName());
    }
  }
}
