package dev.lbkit.discovery;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real dnsmasq, run in the foreground on a free high port of 127.0.0.1 with records given on
 * its command line, for tests. dnsmasq does not reload {@code --srv-host} on SIGHUP, so tests
 * that change records {@link #restart} it on the same port.
 *
 * <p>Where dnsmasq is missing, {@link #requireInstalled} skips the test with a loud message, or
 * fails it when the environment variable {@code CI} is {@code true}.
 *
 * <p>Published in lb-discovery's test jar, so that end-to-end tests elsewhere start the same
 * server the same way.
 */
public final class Dnsmasq implements AutoCloseable {

  /** The domain the tests use; dnsmasq answers NXDOMAIN for unknown names in it. */
  public static final String DOMAIN = "lbkit.test";

  private static final String PROBE = "probe." + DOMAIN;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(3);

  private final Path binary;
  private final Path log;
  private final int port;
  private Process process;

  private Dnsmasq(Path binary, Path log, int port) {
    this.binary = binary;
    this.log = log;
    this.port = port;
  }

  /** The dnsmasq binary, or null. */
  public static Path binary() {
    String override = System.getProperty("lbkit.dnsmasq");
    if (override != null) {
      // -Dlbkit.dnsmasq=/path picks the binary; a missing path simulates a machine without it.
      return Files.isExecutable(Path.of(override)) ? Path.of(override) : null;
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of("/usr/sbin/dnsmasq"));
    String pathEnv = System.getenv("PATH");
    if (pathEnv != null) {
      for (String dir : pathEnv.split(java.io.File.pathSeparator)) {
        candidates.add(Path.of(dir, "dnsmasq"));
      }
    }
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** Skips (developer machine) or fails (CI=true) when dnsmasq is missing. */
  public static Path requireInstalled() {
    Path p = binary();
    if (p == null) {
      String message =
          "\n*** dnsmasq is not installed: the DNS tests against a real DNS server are SKIPPED."
              + "\n*** Install it with: apt-get install -y dnsmasq-base (not the 'dnsmasq' package,"
              + " which starts a system service on port 53).\n";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + "*** CI=true: failing instead of skipping.");
      }
      System.err.println(message);
      Assumptions.assumeTrue(false, message);
    }
    return p;
  }

  /** Starts dnsmasq on a free port with {@code records} (dnsmasq options). */
  public static Dnsmasq start(Path workDir, String... records) throws IOException {
    Path binary = requireInstalled();
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      Dnsmasq d = new Dnsmasq(binary, workDir.resolve("dnsmasq-" + attempt + ".log"), freePort());
      try {
        d.launch(records);
        return d;
      } catch (IOException e) {
        // Another process took the port between the probe and dnsmasq's bind: try another.
        last = e;
      }
    }
    throw last;
  }

  public int port() {
    return port;
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  /** Stops dnsmasq and starts it again on the same port with {@code records}. */
  public void restart(String... records) throws IOException {
    stop();
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        launch(records);
        return;
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  /** Stops dnsmasq; bounded. */
  public void stop() {
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

  private void launch(String... records) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        binary.toString(),
        "-k",
        "--conf-file=/dev/null",
        "--no-resolv",
        "--no-hosts",
        "--port=" + port,
        "--listen-address=127.0.0.1",
        "--bind-interfaces",
        "--pid-file=",
        "--log-facility=-",
        "--local=/" + DOMAIN + "/",
        "--host-record=" + PROBE + ",127.0.0.9"));
    cmd.addAll(List.of(records));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    process = p;
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    SimpleResolver probe = new SimpleResolver(address());
    probe.setTimeout(Duration.ofMillis(200));
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        process = null;
        throw new IOException("dnsmasq exited with " + p.exitValue() + ": " + readLog());
      }
      try {
        Message m = probe.send(Message.newQuery(Record.newRecord(Name.fromString(PROBE + "."), Type.A, DClass.IN)));
        if (m.getRcode() == Rcode.NOERROR && !m.getSection(org.xbill.DNS.Section.ANSWER).isEmpty()) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet; the loop is bounded by START_TIMEOUT
      }
    }
    stop();
    throw new IOException("dnsmasq did not answer within " + START_TIMEOUT + ": " + readLog());
  }

  private String readLog() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    for (int i = 0; i < 20; i++) {
      int port;
      try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        port = udp.getLocalPort();
      }
      try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return tcp.getLocalPort();
      } catch (IOException busy) {
        // TCP side taken; try another
      }
    }
    throw new IOException("no free port on 127.0.0.1 for both UDP and TCP");
  }
}
