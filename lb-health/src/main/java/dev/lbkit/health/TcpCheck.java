package dev.lbkit.health;

import dev.lbkit.api.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;

/**
 * TCP connect check: healthy when the handshake completes. Non-blocking: the connect runs on
 * the JDK's asynchronous channel group, and cancelling the future (the checker's timeout)
 * closes the socket, so a black-holed server costs one pending connect and nothing else.
 *
 * <p>The host is resolved on every check by the JDK resolver (and its cache), so a DNS change
 * is seen by the next check.
 */
final class TcpCheck implements HealthCheck {

  static final TcpCheck INSTANCE = new TcpCheck();

  private TcpCheck() {}

  @Override
  public CompletableFuture<CheckResult> check(Server server) {
    CompletableFuture<CheckResult> result = new CompletableFuture<>();
    AsynchronousSocketChannel channel;
    try {
      channel = AsynchronousSocketChannel.open();
    } catch (IOException e) {
      result.complete(CheckResult.unhealthy("TCP connect failed: cannot open a socket: " + e.getMessage()));
      return result;
    }
    result.whenComplete((r, t) -> closeQuietly(channel));
    InetSocketAddress address = new InetSocketAddress(server.host(), server.port());
    if (address.isUnresolved()) {
      result.complete(CheckResult.unhealthy("TCP connect failed: cannot resolve " + server.host()));
      return result;
    }
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
    return result;
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
