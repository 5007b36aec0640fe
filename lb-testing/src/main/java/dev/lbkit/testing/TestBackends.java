package dev.lbkit.testing;

import dev.lbkit.api.Server;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Loopback HTTP backends for tests: {@code n} {@link TestBackend}s, each a JDK {@code
 * HttpServer} on a free port of {@code 127.0.0.1}, that a test makes slow, failing or dead and
 * revives, and that count the requests they receive. No dependency beyond the JDK.
 *
 * <pre>{@code
 * try (TestBackends backends = TestBackends.start(3)) {
 *   LoadBalancer lb = LoadBalancer.builder("users").servers(backends.servers()).build();
 *   backends.get(1).failing(503);      // answers 503 from now on
 *   backends.get(2).dead();            // connections refused
 *   // ... send requests through lb ...
 *   assertEquals(0, backends.get(2).requests());
 * }
 * }</pre>
 *
 * <p><b>TCP_NODELAY.</b> The JDK server writes headers and body separately; without {@code
 * TCP_NODELAY}, Nagle's algorithm and the client's delayed ACK can add about 40 ms to a
 * response. The JDK server reads the system property {@code sun.net.httpserver.nodelay} once,
 * when its first instance in the JVM starts; these backends set it to {@code true} unless it is
 * set already. When something else started a JDK {@code HttpServer} earlier in the same JVM, pass
 * {@code -Dsun.net.httpserver.nodelay=true} to the test JVM instead (surefire's {@code argLine}).
 *
 * <p><b>Threading.</b> Thread-safe; see {@link TestBackend}.
 */
public final class TestBackends implements AutoCloseable {

  /** The JDK server's switch for TCP_NODELAY on accepted connections. */
  static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

  private final List<TestBackend> backends;

  private TestBackends(List<TestBackend> backends) {
    this.backends = List.copyOf(backends);
  }

  /**
   * Starts {@code count} healthy backends, indexed from 0, each on a free port of {@code
   * 127.0.0.1}.
   *
   * @throws IllegalArgumentException when {@code count} is not positive
   * @throws IOException when a backend cannot start; those already started are closed
   */
  public static TestBackends start(int count) throws IOException {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, was " + count);
    }
    List<TestBackend> started = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        started.add(new TestBackend(i));
      }
    } catch (IOException | RuntimeException e) {
      started.forEach(TestBackend::close);
      throw e;
    }
    return new TestBackends(started);
  }

  /** Sets {@link #NODELAY_PROPERTY} unless set; effective before the JVM's first JDK server. */
  static void ensureNoDelay() {
    if (System.getProperty(NODELAY_PROPERTY) == null) {
      System.setProperty(NODELAY_PROPERTY, "true");
    }
  }

  /**
   * Backend {@code index}.
   *
   * @throws IndexOutOfBoundsException when there is no such backend
   */
  public TestBackend get(int index) {
    return backends.get(index);
  }

  /** How many backends there are. */
  public int size() {
    return backends.size();
  }

  /** Every backend, in index order. */
  public List<TestBackend> all() {
    return backends;
  }

  /** Every backend as a server ({@code 127.0.0.1:port}), in index order. */
  public List<Server> servers() {
    List<Server> servers = new ArrayList<>(backends.size());
    for (TestBackend b : backends) {
      servers.add(b.server());
    }
    return List.copyOf(servers);
  }

  /** Requests received by every backend together. */
  public int requests() {
    int n = 0;
    for (TestBackend b : backends) {
      n += b.requests();
    }
    return n;
  }

  /** Stops every backend and frees its port. Idempotent. */
  @Override
  public void close() {
    backends.forEach(TestBackend::close);
  }

  @Override
  public String toString() {
    return "TestBackends" + backends;
  }
}
