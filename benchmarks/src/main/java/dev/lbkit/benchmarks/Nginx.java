package dev.lbkit.benchmarks;

import dev.lbkit.api.Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private nginx, started and stopped by the harness: its own prefix, configuration, pid file
 * and logs under a directory of {@code target/}, listening on one loopback port, proxying to a
 * {@code least_conn} upstream with keep-alive connections. Never the system service.
 */
final class Nginx implements AutoCloseable {

  /** Idle keep-alive connections nginx keeps per worker to the upstream, as a tuned proxy would. */
  static final int UPSTREAM_KEEPALIVE = 64;

  private final Process process;
  private final int port;
  private final Path prefix;

  private Nginx(Process process, int port, Path prefix) {
    this.process = process;
    this.port = port;
    this.prefix = prefix;
  }

  /**
   * Writes the configuration under {@code prefix}, starts {@code binary} in the foreground and
   * waits (at most 10 s) until it accepts connections.
   */
  static Nginx start(String binary, Path prefix, List<Server> upstream, int workers) {
    try {
      Files.createDirectories(prefix.resolve("logs"));
      Files.createDirectories(prefix.resolve("tmp"));
      int port = freePort();
      StringBuilder servers = new StringBuilder();
      for (Server s : upstream) {
        servers.append("    server ").append(s.id()).append(";\n");
      }
      String tmp = prefix.resolve("tmp").toAbsolutePath().toString();
      String conf =
          "worker_processes " + workers + ";\n"
              + "pid " + prefix.resolve("nginx.pid").toAbsolutePath() + ";\n"
              + "error_log " + prefix.resolve("logs/error.log").toAbsolutePath() + " warn;\n"
              + "events { worker_connections 4096; }\n"
              + "http {\n"
              + "  access_log off;\n"
              + "  client_body_temp_path " + tmp + "/body;\n"
              + "  proxy_temp_path " + tmp + "/proxy;\n"
              + "  fastcgi_temp_path " + tmp + "/fastcgi;\n"
              + "  uwsgi_temp_path " + tmp + "/uwsgi;\n"
              + "  scgi_temp_path " + tmp + "/scgi;\n"
              + "  keepalive_requests 1000000;\n"
              + "  upstream backends {\n"
              + "    least_conn;\n"
              + servers
              + "    keepalive " + UPSTREAM_KEEPALIVE + ";\n"
              + "    keepalive_requests 1000000;\n"
              + "  }\n"
              + "  server {\n"
              + "    listen 127.0.0.1:" + port + ";\n"
              + "    location / {\n"
              + "      proxy_pass http://backends;\n"
              + "      proxy_http_version 1.1;\n"
              + "      proxy_set_header Connection \"\";\n"
              + "    }\n"
              + "  }\n"
              + "}\n";
      Path confFile = prefix.resolve("nginx.conf");
      Files.writeString(confFile, conf, StandardCharsets.UTF_8);
      Process p =
          new ProcessBuilder(
                  binary, "-p", prefix.toAbsolutePath() + "/", "-c", confFile.toAbsolutePath().toString(),
                  "-g", "daemon off;")
              .redirectErrorStream(true)
              .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
              .start();
      Nginx nginx = new Nginx(p, port, prefix);
      Runtime.getRuntime().addShutdownHook(new Thread(nginx::close, "nginx-stop"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!accepts(port)) {
        if (!p.isAlive()) {
          throw new IllegalStateException("nginx exited with " + p.exitValue() + "; see " + prefix.resolve("logs"));
        }
        if (System.nanoTime() > deadline) {
          nginx.close();
          throw new IllegalStateException("nginx did not listen on 127.0.0.1:" + port + " within 10 s");
        }
        Thread.sleep(50);
      }
      return nginx;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting nginx", e);
    }
  }

  /** The loopback port nginx listens on. */
  int port() {
    return port;
  }

  /** The prefix directory holding the configuration and logs. */
  Path prefix() {
    return prefix;
  }

  /** Stops nginx (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
