package dev.lbkit.okhttp;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.Server;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Dns;

/** Real MockWebServer backends, one per server, plus helpers shared by the tests. */
final class Backends implements AutoCloseable {
  final List<MockWebServer> servers = new ArrayList<>();
  private final List<ServerSocket> blackHoles = new ArrayList<>();

  /** Starts {@code n} backends that answer 200 with their own index as the body. */
  static Backends start(int n) throws IOException {
    return start(n, false);
  }

  /**
   * Starts {@code n} backends; with {@code noDelay} their accepted sockets set TCP_NODELAY, so a
   * reused connection does not wait for a delayed ACK (about 40 ms per call on Linux): for tests
   * that make thousands of calls.
   */
  static Backends start(int n, boolean noDelay) throws IOException {
    Backends b = new Backends();
    for (int i = 0; i < n; i++) {
      MockWebServer s = new MockWebServer();
      if (noDelay) {
        s.setServerSocketFactory(new NoDelayServerSocketFactory());
      }
      s.setDispatcher(new FakeDispatcher(i));
      s.start(InetAddress.getByName("127.0.0.1"), 0);
      b.servers.add(s);
    }
    return b;
  }

  FakeDispatcher dispatcher(int i) {
    return (FakeDispatcher) servers.get(i).getDispatcher();
  }

  Server server(int i) {
    return Server.of("127.0.0.1", servers.get(i).getPort());
  }

  List<Server> all() {
    List<Server> list = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      list.add(server(i));
    }
    return list;
  }

  /** A port on which nothing listens: connections are refused. */
  static Server refusing() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return Server.of("127.0.0.1", s.getLocalPort());
    }
  }

  /** A socket that completes TCP handshakes (the kernel backlog) and never answers. */
  Server blackHole() throws IOException {
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    blackHoles.add(s);
    return Server.of("127.0.0.1", s.getLocalPort());
  }

  static LoadBalancer roundRobin(String name, List<Server> servers) {
    return balancer(name, Algorithms.roundRobin(), servers);
  }

  static LoadBalancer balancer(String name, Algorithm algorithm, List<Server> servers) {
    return LoadBalancer.builder(name).algorithm(algorithm).servers(servers)
        .random(dev.lbkit.api.RandomSource.seeded(7)).build();
  }

  /** Pearson's chi-square statistic of observed counts against expected shares. */
  static double chiSquare(long[] observed, double[] shares) {
    long total = 0;
    for (long o : observed) {
      total += o;
    }
    double chi = 0;
    for (int i = 0; i < observed.length; i++) {
      double expected = total * shares[i];
      chi += (observed[i] - expected) * (observed[i] - expected) / expected;
    }
    return chi;
  }

  @Override
  public void close() throws IOException {
    for (MockWebServer s : servers) {
      s.close();
    }
    for (ServerSocket s : blackHoles) {
      s.close();
    }
  }

  /** Answers with a queued script or 200 "i"; counts requests by method. */
  static final class FakeDispatcher extends Dispatcher {
    final int index;
    final AtomicInteger count = new AtomicInteger();
    final Map<String, AtomicInteger> byMethod = new ConcurrentHashMap<>();
    final java.util.concurrent.BlockingQueue<MockResponse> script = new java.util.concurrent.LinkedBlockingQueue<>();
    final java.util.concurrent.BlockingQueue<RecordedRequest> recorded = new java.util.concurrent.LinkedBlockingQueue<>();
    volatile MockResponse always;
    /** Runs on the server's thread before each answer, for example to move a fake clock. */
    volatile Runnable onDispatch;
    final Map<String, MockResponse> paths = new ConcurrentHashMap<>();

    FakeDispatcher(int index) {
      this.index = index;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      Runnable hook = onDispatch;
      if (hook != null) {
        hook.run();
      }
      count.incrementAndGet();
      byMethod.computeIfAbsent(request.getMethod(), m -> new AtomicInteger()).incrementAndGet();
      recorded.add(request);
      MockResponse byPath = paths.get(request.getUrl().encodedPath());
      if (byPath != null) {
        return byPath;
      }
      MockResponse next = script.poll();
      if (next != null) {
        return next;
      }
      if (always != null) {
        return always;
      }
      return new MockResponse.Builder().code(200).addHeader("X-Backend", index).body(String.valueOf(index)).build();
    }

    /** Requests for paths other than {@code path}. */
    int countExcept(String path) {
      int n = 0;
      for (RecordedRequest r : recorded) {
        if (!r.getUrl().encodedPath().equals(path)) {
          n++;
        }
      }
      return n;
    }

    int count(String method) {
      AtomicInteger c = byMethod.get(method);
      return c == null ? 0 : c.get();
    }
  }

  /** Server sockets whose accepted sockets set TCP_NODELAY. */
  static final class NoDelayServerSocketFactory extends javax.net.ServerSocketFactory {
    @Override
    public ServerSocket createServerSocket() throws IOException {
      return new ServerSocket() {
        @Override
        public java.net.Socket accept() throws IOException {
          java.net.Socket socket = super.accept();
          socket.setTcpNoDelay(true);
          return socket;
        }
      };
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
      throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
    }
  }

  /** Maps a fixed set of names to 127.0.0.1; any other name fails, so no test resolves real hosts. */
  static final class FakeDns implements Dns {
    final List<String> names;
    final List<String> lookups = new java.util.concurrent.CopyOnWriteArrayList<>();

    FakeDns(String... names) {
      this.names = List.of(names);
    }

    @Override
    public List<InetAddress> lookup(String hostname) throws UnknownHostException {
      lookups.add(hostname);
      if (names.contains(hostname)) {
        return List.of(InetAddress.getByAddress(hostname, new byte[] {127, 0, 0, 1}));
      }
      throw new UnknownHostException("FakeDns: " + hostname);
    }
  }
}
