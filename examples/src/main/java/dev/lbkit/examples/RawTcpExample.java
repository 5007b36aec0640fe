package dev.lbkit.examples;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Picker} used directly for a protocol that is not HTTP: one text line over raw TCP,
 * one request per connection (think of a memcached or Redis command without a pool).
 *
 * <p>The part to copy is {@link #call}: pick, connect, send, read, and report the outcome exactly
 * once. A request that never reached a server (the connection was refused or timed out) is
 * retried on another server: the {@link PickContext} avoids every server already tried. A
 * request that was written is never resent, because the server may have acted on it; that is
 * the rule RFC 9110 §9.2.2 gives for non-idempotent HTTP requests, and it fits most protocols.
 *
 * <p>{@link #main} starts two line servers on 127.0.0.1 and lists a third address that refuses
 * connections, then sends ten lines: every line is answered, and the server views show the
 * refused connections that were reported.
 */
public final class RawTcpExample {

  /** Attempts per request, the first included: one retry per other server in a 3-server demo. */
  static final int MAX_ATTEMPTS = 3;

  /** Connect timeout: on a LAN a healthy server accepts in well under a millisecond. */
  static final int CONNECT_TIMEOUT_MILLIS = 500;

  /** Read timeout: how long a written request may wait for its answer. */
  static final int READ_TIMEOUT_MILLIS = 2_000;

  private RawTcpExample() {}

  /** Runs the example: ten lines over two live servers and one that refuses connections. */
  public static void main(String[] args) throws IOException {
    try (LineServer alpha = LineServer.start("alpha");
        LineServer beta = LineServer.start("beta")) {
      Server refusing = Server.of("127.0.0.1", refusingPort());
      try (LoadBalancer echo = LoadBalancer.builder("echo")
          .servers(alpha.server(), beta.server(), refusing)
          .build()) {
        System.out.printf("alpha at %s, beta at %s, and %s refuses connections%n%n",
            alpha.server().id(), beta.server().id(), refusing.id());
        for (int i = 1; i <= 10; i++) {
          System.out.println("hello " + i + " -> " + call(echo, "hello " + i));
        }
        System.out.println();
        for (ServerView v : echo.servers()) {
          System.out.printf("%-16s last outcome %-15s failures in a row %d%n",
              v.server().id(), v.lastOutcome(), v.consecutiveFailures());
        }
      }
    }
  }

  /**
   * Sends {@code line} to a server chosen by {@code picker} and returns the answer.
   *
   * @throws IOException when the request was written but no answer came (not retried), or when
   *     every attempt failed to connect
   * @throws NoAvailableServerException when no server is left to try
   */
  // README:tcp
  static String call(Picker picker, String line) throws IOException {
    PickContext context = PickContext.EMPTY;
    IOException lastFailure = null;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Selection selection;
      try {
        selection = picker.pick(context);       // avoids the servers already tried
      } catch (NoAvailableServerException e) {
        if (lastFailure != null) {
          e.addSuppressed(lastFailure);
        }
        throw e;
      }
      Server server = selection.server();
      long start = System.nanoTime();
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(server.host(), server.port()), CONNECT_TIMEOUT_MILLIS);
      } catch (IOException e) {                 // never reached the server: safe to retry
        socket.close();
        selection.complete(System.nanoTime() - start,
            e instanceof SocketTimeoutException ? Outcome.TIMEOUT : Outcome.CONNECT_FAILURE);
        context = context.toBuilder().avoid(server).build();
        lastFailure = e;
        continue;
      }
      try (socket) {                            // written: report, but never resend
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        OutputStream out = socket.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        String answer = new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (answer == null) {
          throw new IOException(server.id() + " closed the connection without answering");
        }
        selection.complete(System.nanoTime() - start, Outcome.SUCCESS);
        return answer;
      } catch (IOException e) {
        selection.complete(System.nanoTime() - start,
            e instanceof SocketTimeoutException ? Outcome.TIMEOUT : Outcome.IO_ERROR);
        throw e;
      }
    }
    throw new IOException("no answer after " + MAX_ATTEMPTS + " attempts", lastFailure);
  }
  // README:end

  /** Returns a loopback port that refuses connections: bound once, then released. */
  static int refusingPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * A tiny line server on 127.0.0.1: answers each connection's first line with {@code
   * "name: LINE"} in upper case, then closes it. One thread, one connection at a time.
   */
  static final class LineServer implements AutoCloseable {
    private final String name;
    private final ServerSocket socket;
    private final AtomicInteger requests = new AtomicInteger();
    private final boolean answers;

    private LineServer(String name, ServerSocket socket, boolean answers) {
      this.name = name;
      this.socket = socket;
      this.answers = answers;
    }

    /** Starts a server that answers every line. */
    static LineServer start(String name) throws IOException {
      return start(name, true);
    }

    /**
     * Starts a server; when {@code answers} is false it reads the line and closes without an
     * answer, as a server that crashes mid-request would.
     */
    static LineServer start(String name, boolean answers) throws IOException {
      LineServer server =
          new LineServer(name, new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), answers);
      Thread t = new Thread(server::serve, "line-server-" + name);
      t.setDaemon(true);
      t.start();
      return server;
    }

    /** The address to balance over. */
    Server server() {
      return Server.of("127.0.0.1", socket.getLocalPort());
    }

    /** Lines received so far, answered or not. */
    int requests() {
      return requests.get();
    }

    private void serve() {
      while (!socket.isClosed()) {
        try (Socket client = socket.accept()) {
          client.setSoTimeout(READ_TIMEOUT_MILLIS);
          String line = new BufferedReader(
              new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8)).readLine();
          if (line == null) {
            continue;
          }
          requests.incrementAndGet();
          if (answers) {
            String answer = name + ": " + line.toUpperCase(Locale.ROOT) + "\n";
            client.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
          }
        } catch (IOException e) {
          if (socket.isClosed()) {
            return;
          }
        }
      }
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
