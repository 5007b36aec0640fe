package dev.lbkit.zookeeper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP forwarder to a server, which a test can {@link #cut}: every connection through
 * it drops and new ones are refused, as when a registrant's host dies or is partitioned. The
 * server sees the client go silent without closing its session, so the session expires on the
 * server's clock, the way it does in production.
 */
final class CuttableProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  CuttableProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "test-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String connectString() {
    return "127.0.0.1:" + listener.getLocalPort();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket in = listener.accept();
        Socket out = new Socket();
        out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 1_000);
        sockets.add(in);
        sockets.add(out);
        pump(in, out);
        pump(out, in);
      } catch (IOException e) {
        // closed by cut(), or the server refused: the client retries and sees its own failure
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[8192];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side went away: the other is closed below
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "test-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  /** Drops every connection and refuses new ones. */
  void cut() {
    closeQuietly(listener);
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }

  @Override
  public void close() {
    cut();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // already closed
    }
  }
}
