package dev.lbkit.etcd;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real etcd (Debian's {@code etcd-server}), run in the foreground by the test on free loopback
 * ports (client and peer) with a data directory of its own, and killed at the end. Never a system
 * service, never a default port. {@link #restart} brings it back on the same ports with the same
 * data, as a restarted member would come back.
 *
 * <p>Where etcd is missing, {@link #requireInstalled} skips the test with a loud message, or fails
 * it when the environment variable {@code CI} is {@code true}; the same rule as lb-discovery's
 * {@code Dnsmasq}.
 */
final class Etcd implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  private final Path binary;
  private final Path dataDir;
  private final Path log;
  private final int clientPort;
  private final int peerPort;
  private Process process;

  private Etcd(Path binary, Path workDir, int clientPort, int peerPort) {
    this.binary = binary;
    this.dataDir = workDir.resolve("etcd-data");
    this.log = workDir.resolve("etcd.log");
    this.clientPort = clientPort;
    this.peerPort = peerPort;
  }

  /** The etcd binary, or null. */
  static Path binary() {
    String override = System.getProperty("lbkit.etcd");
    if (override != null) {
      // -Dlbkit.etcd=/path picks the binary; a missing path simulates a machine without it.
      return Files.isExecutable(Path.of(override)) ? Path.of(override) : null;
    }
    List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/bin/etcd")));
    String pathEnv = System.getenv("PATH");
    if (pathEnv != null) {
      for (String dir : pathEnv.split(java.io.File.pathSeparator)) {
        candidates.add(Path.of(dir, "etcd"));
      }
    }
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** Skips (developer machine) or fails (CI=true) when etcd is missing. */
  static Path requireInstalled() {
    Path p = binary();
    if (p == null) {
      String message =
          "\n*** etcd is not installed: the etcd tests against a real etcd are SKIPPED."
              + "\n*** Install it with: apt-get install -y etcd-server (then make sure no system etcd"
              + " service runs: systemctl stop etcd, or install with a policy-rc.d that exits 101).\n";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + "*** CI=true: failing instead of skipping.");
      }
      System.err.println(message);
      Assumptions.assumeTrue(false, message);
    }
    return p;
  }

  /** Starts etcd on two free loopback ports, with its data under {@code workDir}. */
  static Etcd start(Path workDir) throws IOException {
    Path binary = requireInstalled();
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      Etcd etcd = new Etcd(binary, workDir.resolve("attempt-" + attempt), freePort(), freePort());
      try {
        Files.createDirectories(etcd.dataDir.getParent());
        etcd.launch();
        return etcd;
      } catch (IOException e) {
        // A port was taken between the probe and etcd's bind: try others.
        last = e;
      }
    }
    throw last;
  }

  /** The client URL, {@code http://127.0.0.1:<port>}. */
  String endpoint() {
    return "http://127.0.0.1:" + clientPort;
  }

  int clientPort() {
    return clientPort;
  }

  /** Stops etcd (SIGTERM, then SIGKILL after a bound) and starts it again: same ports, same data. */
  void restart() throws IOException {
    stop();
    launch();
  }

  /** Stops etcd; bounded. */
  void stop() {
    Process p = process;
    process = null;
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  @Override
  public void close() {
    stop();
  }

  private void launch() throws IOException {
    String client = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> cmd = List.of(
        binary.toString(),
        "--name", "lbkit-test",
        "--data-dir", dataDir.toString(),
        "--listen-client-urls", client,
        "--advertise-client-urls", client,
        "--listen-peer-urls", peer,
        "--initial-advertise-peer-urls", peer,
        "--initial-cluster", "lbkit-test=" + peer,
        "--initial-cluster-state", "new",
        "--logger", "zap",
        "--log-outputs", "stderr");
    Process p = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    process = p;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    HttpRequest health = HttpRequest.newBuilder(URI.create(client + "/health")).timeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        process = null;
        throw new IOException("etcd exited with " + p.exitValue() + ": " + readLog());
      }
      try {
        HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("\"health\":\"true\"")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet; the loop is bounded by START_TIMEOUT
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    stop();
    throw new IOException("etcd did not report healthy within " + START_TIMEOUT + ": " + readLog());
  }

  private String readLog() {
    try {
      String text = Files.readString(log, StandardCharsets.UTF_8);
      return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
