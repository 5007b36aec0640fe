package dev.lbkit.reliability;

import dev.lbkit.api.Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process TCP fault proxy in front of one backend, on a loopback port of its own: the
 * faults of the reliability suite, switched at runtime while clients keep their connections.
 *
 * <ul>
 *   <li>{@link #pass()}: bytes flow both ways untouched (the start state);
 *   <li>{@link #latency(Duration)}: every chunk the backend sends is held that long first;
 *   <li>{@link #blackHole()}: connections are accepted, bytes in either direction are dropped,
 *       nothing is ever answered;
 *   <li>{@link #drip()}: the backend's bytes reach the client at one byte per second;
 *   <li>{@link #resetAfter(int)}: after that many response bytes on a connection, the client's
 *       socket is reset (RST, by {@code SO_LINGER 0}), mid-body when the body is longer;
 *   <li>{@link #refuse()}: the listening socket closes, so new connections are refused while open
 *       ones keep working; {@link #restart()} listens again;
 *   <li>{@link #kill()}: the listening socket and every connection close, as when the backend's
 *       process dies (the client's pooled connections go stale); {@link #restart()} listens again
 *       on the same port.
 * </ul>
 *
 * <p>A fault applies to bytes that flow after it is set, on new and open connections alike. The
 * model is Toxiproxy's (latency, timeout, slicer and reset_peer toxics), in process, so a test
 * needs no binary.
 *
 * <p><b>Threads.</b> One acceptor thread while listening, and two pump threads per connection
 * from a pool capped at {@code 2 × maxConnections}; a connection beyond the cap is reset at once.
 * {@link #close()} ends every thread and waits for them (bounded).
 *
 * <p><b>Threading.</b> Thread-safe; fault switches are single volatile writes.
 */
public final class FaultProxy implements AutoCloseable {

  /** Connections open at once, by default; each costs two threads. */
  public static final int DEFAULT_MAX_CONNECTIONS = 128;

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final int CHUNK = 8192;
  /** Sleeps are sliced so that a killed connection's pump notices within this. */
  private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final AtomicInteger IDS = new AtomicInteger();

  /** What the proxy does to bytes now. Immutable. */
  private record Fault(Mode mode, long latencyNanos, long resetAfterBytes) {
    static final Fault PASS = new Fault(Mode.PASS, 0, 0);
  }

  private enum Mode { PASS, BLACK_HOLE, DRIP, RESET }

  private final InetSocketAddress backend;
  private final int maxConnections;
  private final String name;
  private final ThreadPoolExecutor pumps;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger rejected = new AtomicInteger();
  private final int port;
  private volatile Fault fault = Fault.PASS;
  // Guarded by this: the listening socket and its acceptor, null while refusing or killed.
  private ServerSocket listener;
  private Thread acceptor;
  /** While refusing or killed: a socket bound to the port, not listening (see {@link #holdPort}). */
  private Socket placeholder;
  private boolean closed;

  private FaultProxy(InetSocketAddress backend, int maxConnections) throws IOException {
    this.backend = backend;
    this.maxConnections = maxConnections;
    this.name = "fault-proxy-" + IDS.incrementAndGet() + "->" + backend.getPort();
    this.pumps = new ThreadPoolExecutor(0, 2 * maxConnections, 5, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, name + "-pump");
      t.setDaemon(true);
      return t;
    });
    ServerSocket first = bind(0);
    this.port = first.getLocalPort();
    listen(first);
  }

  /** A proxy on a free loopback port in front of {@code 127.0.0.1:backendPort}, passing bytes. */
  public static FaultProxy start(int backendPort) throws IOException {
    return start(backendPort, DEFAULT_MAX_CONNECTIONS);
  }

  /**
   * A proxy that holds at most {@code maxConnections} connections at once.
   *
   * @throws IllegalArgumentException when {@code maxConnections} is not positive
   */
  public static FaultProxy start(int backendPort, int maxConnections) throws IOException {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
    }
    return new FaultProxy(new InetSocketAddress(LOOPBACK, backendPort), maxConnections);
  }

  /** The proxy's own port, the same across {@link #kill()} and {@link #restart()}. */
  public int port() {
    return port;
  }

  /** The proxy as a server for a balancer: {@code 127.0.0.1:port}. */
  public Server server() {
    return Server.of(LOOPBACK.getHostAddress(), port);
  }

  /** Clears every fault: bytes pass untouched. Does not reopen a refusing or killed port. */
  public FaultProxy pass() {
    fault = Fault.PASS;
    return this;
  }

  /** Holds each chunk the backend sends for {@code delay} before passing it on. */
  public FaultProxy latency(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    fault = new Fault(Mode.PASS, delay.toNanos(), 0);
    return this;
  }

  /** Accepts connections and drops every byte both ways: nothing is ever answered. */
  public FaultProxy blackHole() {
    fault = new Fault(Mode.BLACK_HOLE, 0, 0);
    return this;
  }

  /** Passes the backend's bytes on at one byte per second. */
  public FaultProxy drip() {
    fault = new Fault(Mode.DRIP, 0, 0);
    return this;
  }

  /**
   * Resets each connection (RST) once {@code responseBytes} bytes of the backend's answer have
   * passed on it; 0 resets at the first response byte.
   */
  public FaultProxy resetAfter(int responseBytes) {
    if (responseBytes < 0) {
      throw new IllegalArgumentException("responseBytes must not be negative, was " + responseBytes);
    }
    fault = new Fault(Mode.RESET, 0, responseBytes);
    return this;
  }

  /** Closes the listening socket: new connections are refused; open ones keep working. */
  public FaultProxy refuse() {
    stopListening();
    holdPort();
    return this;
  }

  /**
   * Closes the listening socket and every connection, as when the backend's process dies: the
   * clients' pooled connections see an end of stream.
   */
  public FaultProxy kill() {
    stopListening();
    for (Link l : links) {
      l.close(false);
    }
    holdPort();
    return this;
  }

  /**
   * Listens again on the same port after {@link #refuse()} or {@link #kill()}; does nothing while
   * listening.
   *
   * @throws UncheckedIOException when the port cannot be bound again
   */
  public synchronized FaultProxy restart() {
    if (closed) {
      throw new IllegalStateException(name + " is closed");
    }
    if (listener == null) {
      releasePort();
      try {
        listen(bind(port));
      } catch (IOException e) {
        throw new UncheckedIOException(name + " cannot listen on port " + port + " again", e);
      }
    }
    return this;
  }

  /** Connections accepted since the start, rejected ones (over the cap) included. */
  public int accepted() {
    return accepted.get();
  }

  /** Connections reset at once because {@code maxConnections} were open. */
  public int rejected() {
    return rejected.get();
  }

  /** Connections open now. */
  public int openConnections() {
    return links.size();
  }

  /** Pump threads alive now: at most {@code 2 × maxConnections}. */
  public int pumpThreads() {
    return pumps.getPoolSize();
  }

  /** Closes the port and every connection, and ends every thread of this proxy. Idempotent. */
  @Override
  public void close() {
    Thread oldAcceptor;
    synchronized (this) {
      closed = true;
      oldAcceptor = acceptor;
    }
    kill();
    releasePort();
    pumps.shutdownNow();
    try {
      if (oldAcceptor != null) {
        oldAcceptor.join(TimeUnit.SECONDS.toMillis(5));
      }
      if (!pumps.awaitTermination(5, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + ": pump threads still alive after close: " + pumps);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + "(port " + port + ", " + fault + ", " + links.size() + " open)";
  }

  private static ServerSocket bind(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(LOOPBACK, port), 128);
    return s;
  }

  private synchronized void listen(ServerSocket socket) {
    listener = socket;
    Thread t = new Thread(() -> acceptLoop(socket), name + "-accept");
    t.setDaemon(true);
    acceptor = t;
    t.start();
  }

  /**
   * Keeps the closed port from being handed to another server while this proxy refuses: a socket
   * bound to it but not listening, so a connection is still refused (RST), but no other socket
   * can bind the port, and the kernel does not pick it for a server binding port 0. Without it, a
   * server started meanwhile by a concurrent test could take the port and answer this proxy's
   * clients. Without {@code SO_REUSEADDR} when it can (then no other bind succeeds), with it when
   * connections of the port linger in TIME_WAIT; best effort either way.
   */
  private synchronized void holdPort() {
    if (closed || placeholder != null || listener != null) {
      return;
    }
    for (boolean reuse : new boolean[] {false, true}) {
      Socket s = new Socket();
      try {
        s.setReuseAddress(reuse);
        s.bind(new InetSocketAddress(LOOPBACK, port));
        placeholder = s;
        return;
      } catch (IOException e) {
        closeQuietly(s);
      }
    }
  }

  private synchronized void releasePort() {
    if (placeholder != null) {
      closeQuietly(placeholder);
      placeholder = null;
    }
  }

  private void stopListening() {
    ServerSocket s;
    Thread t;
    synchronized (this) {
      s = listener;
      t = acceptor;
      listener = null;
      acceptor = null;
    }
    if (s != null) {
      closeQuietly(s);
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void acceptLoop(ServerSocket socket) {
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return; // closed by refuse, kill or close
      }
      accepted.incrementAndGet();
      if (links.size() >= maxConnections) {
        rejected.incrementAndGet();
        reset(client);
        continue;
      }
      open(client);
    }
  }

  private void open(Socket client) {
    Socket upstream = new Socket();
    try {
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      upstream.connect(backend, 1000);
    } catch (IOException e) {
      // The backend itself is down: pass that on as abruptly as a refused connection can be.
      closeQuietly(upstream);
      reset(client);
      return;
    }
    Link link = new Link(client, upstream);
    links.add(link);
    try {
      pumps.execute(link::pumpRequests);
      pumps.execute(link::pumpResponses);
    } catch (RejectedExecutionException e) {
      link.close(true); // closing
    }
  }

  /** One client connection and its upstream connection. */
  private final class Link {
    final Socket client;
    final Socket upstream;
    volatile boolean closed;
    long responseBytes; // written by the response pump only

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void pumpRequests() {
      byte[] buf = new byte[CHUNK];
      try {
        // Not try-with-resources: closing a socket's stream closes the socket, both directions.
        InputStream in = client.getInputStream();
        OutputStream out = upstream.getOutputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (fault.mode() != Mode.BLACK_HOLE) {
            out.write(buf, 0, n);
          }
        }
        upstream.shutdownOutput();
      } catch (IOException e) {
        close(false);
      }
    }

    void pumpResponses() {
      byte[] buf = new byte[CHUNK];
      try {
        InputStream in = upstream.getInputStream();
        OutputStream out = client.getOutputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (!forward(out, buf, n)) {
            return;
          }
        }
      } catch (IOException e) {
        // the link is gone
      } finally {
        close(false);
      }
    }

    /** Passes one chunk on as the current fault says; false when the link was reset or closed. */
    private boolean forward(OutputStream out, byte[] buf, int n) throws IOException {
      Fault f = fault;
      if (f.latencyNanos() > 0 && !pause(f.latencyNanos())) {
        return false;
      }
      switch (f.mode()) {
        case BLACK_HOLE:
          return true;
        case DRIP:
          for (int i = 0; i < n; i++) {
            out.write(buf[i]);
            out.flush();
            responseBytes++;
            if (!pause(TimeUnit.SECONDS.toNanos(1))) {
              return false;
            }
          }
          return true;
        case RESET:
          long room = f.resetAfterBytes() - responseBytes;
          if (room < n) {
            if (room > 0) {
              out.write(buf, 0, (int) room);
              out.flush();
            }
            close(true);
            return false;
          }
          break;
        default:
          break;
      }
      out.write(buf, 0, n);
      responseBytes += n;
      return true;
    }

    /** Waits {@code nanos} in slices; false when the link closed meanwhile. */
    private boolean pause(long nanos) {
      long end = System.nanoTime() + nanos;
      long left;
      while (!closed && (left = end - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(Math.min(left, SLICE_NANOS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return !closed;
    }

    /** Closes both sockets; with {@code rst}, the client's with a reset. Idempotent. */
    void close(boolean rst) {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
      }
      links.remove(this);
      if (rst) {
        reset(client);
      } else {
        closeQuietly(client);
      }
      closeQuietly(upstream);
    }
  }

  /** Closes {@code socket} with a TCP reset instead of a FIN. */
  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException e) {
      // already closed
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // nothing to do: closing
    }
  }
}
