package dev.lbkit.redis;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real redis-server for tests, on a free port of 127.0.0.1, with its own configuration on the
 * command line (no persistence, its own working directory); never the system service or port
 * 6379. Tests {@link #kill} it and {@link #restart} it on the same port, or {@link #pause} it
 * (SIGSTOP) to make it accept connections but answer nothing.
 *
 * <p>Where redis-server is missing, {@link #requireInstalled} skips the test with a loud message,
 * or fails it when the environment variable {@code CI} is {@code true}.
 */
final class RedisServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  private final Path binary;
  private final Path dir;
  private final int port;
  private Process process;

  private RedisServer(Path binary, Path dir, int port) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
  }

  /** The redis-server binary, or null; {@code -Dlbkit.redis-server=/path} overrides the search. */
  static Path binary() {
    String override = System.getProperty("lbkit.redis-server");
    if (override != null) {
      return Files.isExecutable(Path.of(override)) ? Path.of(override) : null;
    }
    List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/bin/redis-server")));
    String pathEnv = System.getenv("PATH");
    if (pathEnv != null) {
      for (String d : pathEnv.split(java.io.File.pathSeparator)) {
        candidates.add(Path.of(d, "redis-server"));
      }
    }
    return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
  }

  /** Skips (developer machine) or fails (CI=true) when redis-server is missing. */
  static Path requireInstalled() {
    Path p = binary();
    if (p == null) {
      String message = "\n*** redis-server is not installed: lb-redis's tests against a real Redis are SKIPPED."
          + "\n*** Install it with: apt-get install -y redis-server (then stop the system service it may"
          + " start: the tests run their own server on a free port).\n";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + "*** CI=true: failing instead of skipping.");
      }
      System.err.println(message);
      Assumptions.assumeTrue(false, message);
    }
    return p;
  }

  /** Starts redis-server on a free port, working in {@code dir}. */
  static RedisServer start(Path dir) throws IOException {
    Path binary = requireInstalled();
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      RedisServer r = new RedisServer(binary, dir, freePort());
      try {
        r.launch();
        return r;
      } catch (IOException e) {
        last = e; // another process took the port between the probe and redis's bind
      }
    }
    throw last;
  }

  int port() {
    return port;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Kills the server (SIGKILL: no goodbye to clients), and waits for it to exit. */
  void kill() {
    Process p = process;
    process = null;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts a fresh server (empty: nothing is persisted) on the same port. */
  void restart() throws IOException {
    kill();
    IOException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        launch();
        return;
      } catch (IOException e) {
        last = e; // the port may linger for a moment after the kill
      }
    }
    throw last;
  }

  /** SIGSTOP ({@code true}) or SIGCONT ({@code false}): a paused server keeps its socket but answers nothing. */
  void pause(boolean paused) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", paused ? "-STOP" : "-CONT", Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill " + (paused ? "-STOP" : "-CONT") + " failed");
    }
  }

  /**
   * Sends one inline command (e.g. {@code PTTL key}) and returns its reply's first line (such as
   * {@code :1200} or {@code +PONG}), or a one-line bulk string's content.
   */
  String command(String inline) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
      s.setSoTimeout(2_000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      String first = readLine(in);
      return first.startsWith("$") && !first.equals("$-1") ? readLine(in) : first;
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() {
    Process p = process;
    if (p != null) {
      try {
        pause(false); // a stopped process ignores SIGTERM until continued
      } catch (IOException | InterruptedException | RuntimeException ignored) {
        // killed forcibly below anyway
      }
    }
    kill();
  }

  private void launch() throws IOException {
    List<String> cmd = List.of(binary.toString(),
        "--port", Integer.toString(port),
        "--bind", "127.0.0.1",
        "--save", "",
        "--appendonly", "no",
        "--dir", dir.toString(),
        "--daemonize", "no",
        "--protected-mode", "yes",
        "--logfile", "");
    Path log = dir.resolve("redis-" + port + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    process = p;
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (!p.isAlive()) {
        process = null;
        throw new IOException("redis-server exited with " + p.exitValue() + ": " + Files.readString(log));
      }
      try {
        if ("+PONG".equals(command("PING"))) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet; bounded by START_TIMEOUT
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    kill();
    throw new IOException("redis-server did not answer PING within " + START_TIMEOUT + ": " + Files.readString(log));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
