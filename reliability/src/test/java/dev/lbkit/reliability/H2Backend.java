package dev.lbkit.reliability;

import dev.lbkit.api.Server;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;

/**
 * An h2c backend of the reliability suite: a MockWebServer speaking HTTP/2 with prior knowledge,
 * so one connection carries every call to it, recording each request in a {@link Ledger} by
 * request id and answering its index as the body, or another status.
 *
 * <p><b>TCP_NODELAY.</b> MockWebServer does not set it on accepted sockets; HTTP/2 writes a
 * HEADERS and a DATA frame per answer, and Nagle's algorithm with the peer's delayed ACK would
 * hold the second about 40 ms. The server socket factory here sets it on every accepted socket.
 *
 * <p><b>Threading.</b> Thread-safe; MockWebServer answers on its own threads, ended by {@link
 * #close()}.
 */
public final class H2Backend implements AutoCloseable {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final MockWebServer server = new MockWebServer();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile int status = 200;

  private H2Backend(int index, Ledger ledger) throws IOException {
    server.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
    server.setServerSocketFactory(new NoDelayServerSocketFactory());
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        requests.incrementAndGet();
        ledger.record(request.getHeaders().get(Ledger.REQUEST_ID), request.getMethod());
        return new MockResponse.Builder().code(status).body(String.valueOf(index)).build();
      }
    });
    server.start(LOOPBACK, 0);
  }

  /** Starts {@code n} backends indexed from 0; closes those started when one fails. */
  public static List<H2Backend> startAll(int n, Ledger ledger) throws IOException {
    H2Backend[] started = new H2Backend[n];
    try {
      for (int i = 0; i < n; i++) {
        started[i] = new H2Backend(i, ledger);
      }
    } catch (IOException | RuntimeException e) {
      for (H2Backend b : started) {
        if (b != null) {
          b.close();
        }
      }
      throw e;
    }
    return List.of(started);
  }

  /** The port it listens on. */
  public int port() {
    return server.getPort();
  }

  /** This backend as a server, for a balancer that talks to it directly. */
  public Server server() {
    return Server.of(LOOPBACK.getHostAddress(), port());
  }

  /** Answers later requests with {@code code}. */
  public H2Backend status(int code) {
    this.status = code;
    return this;
  }

  /** Requests received. */
  public int requests() {
    return requests.get();
  }

  /** Stops the server and its threads. */
  @Override
  public void close() {
    server.close();
  }

  /** Server sockets whose accepted sockets have TCP_NODELAY set. */
  private static final class NoDelayServerSocketFactory extends ServerSocketFactory {
    @Override
    public ServerSocket createServerSocket() throws IOException {
      return new NoDelayServerSocket();
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      ServerSocket s = createServerSocket();
      s.bind(new InetSocketAddress(port));
      return s;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      ServerSocket s = createServerSocket();
      s.bind(new InetSocketAddress(port), backlog);
      return s;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
      ServerSocket s = createServerSocket();
      s.bind(new InetSocketAddress(address, port), backlog);
      return s;
    }
  }

  private static final class NoDelayServerSocket extends ServerSocket {
    NoDelayServerSocket() throws IOException {
      super();
    }

    @Override
    public Socket accept() throws IOException {
      Socket s = super.accept();
      s.setTcpNoDelay(true);
      return s;
    }
  }
}
