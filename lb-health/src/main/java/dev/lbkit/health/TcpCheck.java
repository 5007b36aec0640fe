package dev.lbkit.health;

import dev.lbkit.api.Server;
import dev.lbkit.api.internal.HostSyntax;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * TCP connect check: healthy when the handshake completes. Non-blocking: the connect runs on
 * the JDK's asynchronous channel group, and cancelling the future (the checker's timeout)
 * closes the socket, so a black-holed server costs one pending connect and nothing else.
 *
 * <p>A host name is resolved on every check by the JDK resolver (and its cache), on a small
 * resolver pool because lookups block; a DNS change is seen by the next check.
 */
final class TcpCheck implements HealthCheck {

  static final TcpCheck INSTANCE = new TcpCheck();

  private TcpCheck() {}

  /**
   * Name lookups block, so they run here, never on the scheduler or control plane. Daemon
   * threads, created on demand and retired after a minute idle.
   */
  private static final ExecutorService RESOLVER = newResolver();

  private static ExecutorService newResolver() {
    // Core size 4 with core time-out: with core 0 and an unbounded queue only one thread would
    // ever start.
    ThreadPoolExecutor e =
        new ThreadPoolExecutor(4, 4, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "lbkit-health-dns");
          t.setDaemon(true);
          return t;
        });
    e.allowCoreThreadTimeOut(true);
    return e;
  }

  @Override
  public CompletableFuture<CheckResult> check(Server server) {
    CompletableFuture<CheckResult> result = new CompletableFuture<>();
    byte[] literal = HostSyntax.ipLiteral(server.host());
    if (literal != null) {
      connect(new InetSocketAddress(address(literal), server.port()), result);
    } else {
      try {
        RESOLVER.execute(() -> {
          if (!result.isDone()) {
            connect(new InetSocketAddress(server.host(), server.port()), result);
          }
        });
      } catch (RejectedExecutionException e) {
        result.complete(CheckResult.unhealthy("TCP connect failed: resolver unavailable"));
      }
    }
    return result;
  }

  /** The address of an IP literal's bytes: no lookup. */
  private static InetAddress address(byte[] literal) {
    try {
      return InetAddress.getByAddress(literal);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an IP literal has 4 or 16 bytes, had " + literal.length, e);
    }
  }

  private static void connect(InetSocketAddress address, CompletableFuture<CheckResult> result) {
    if (address.isUnresolved()) {
      result.complete(CheckResult.unhealthy("TCP connect failed: cannot resolve " + address.getHostString()));
      return;
    }
    AsynchronousSocketChannel channel;
    try {
      channel = AsynchronousSocketChannel.open();
    } catch (IOException e) {
      result.complete(CheckResult.unhealthy("TCP connect failed: cannot open a socket: " + e.getMessage()));
      return;
    }
    // Closes the socket on success, failure and on the checker's timeout (cancellation).
    result.whenComplete((r, t) -> closeQuietly(channel));
    try {
      channel.connect(
          address,
          null,
          new CompletionHandler<Void, Void>() {
            @Override
            public void completed(Void v, Void attachment) {
              result.complete(CheckResult.healthy("TCP connect succeeded"));
            }

            @Override
            public void failed(Throwable t, Void attachment) {
              result.complete(CheckResult.unhealthy("TCP connect failed: " + describe(t)));
            }
          });
    } catch (RuntimeException e) {
      result.complete(CheckResult.unhealthy("TCP connect failed: " + describe(e)));
    }
  }

  static String describe(Throwable t) {
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }

  private static void closeQuietly(AsynchronousSocketChannel c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // Nothing to do: the check already has its result.
    }
  }

  @Override
  public String toString() {
    return "tcp";
  }
}
