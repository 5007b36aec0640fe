package dev.lbkit.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeScheduler;
import dev.lbkit.testing.FakeTicker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An HTTP check's client holds threads and kept-alive connections; the active health check
 * input that uses it releases them when it closes, unless another open input still uses it.
 */
class HttpCheckLifecycleTest {

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private KeepAliveBackend backend;
  private Server server;

  @BeforeEach
  void startBackend() throws IOException {
    backend = new KeepAliveBackend();
    server = Server.of("127.0.0.1", backend.port());
  }

  @AfterEach
  void stopBackend() throws IOException {
    backend.close();
  }

  private HealthInput input(HealthCheck check, FakeHealthControl control) {
    HealthInput input = ActiveHealthCheck.builder(check).interval(Duration.ofSeconds(1))
        .timeout(Duration.ofMillis(500)).jitter(Duration.ZERO).scheduler(scheduler).build();
    input.start(control);
    control.servers(input, server);
    return input;
  }

  /** Runs the checks due now and waits, bounded, until {@code control} has a passed check. */
  private void checkRound(FakeHealthControl control) throws InterruptedException {
    control.details.clear();
    int before = backend.requests.get();
    scheduler.runDue();
    FakeHealthControl.await(() -> backend.requests.get() > before, "the check's request");
    FakeHealthControl.await(() -> control.detail(server, ActiveChecker.DETAIL) != null, "the check's result");
    assertEquals("healthy: GET /health returned 200", control.detail(server, ActiveChecker.DETAIL));
  }

  @Test
  void closingTheInputClosesTheChecksKeptAliveConnectionAndStopsItsThreads() throws Exception {
    HttpCheck check = (HttpCheck) HealthChecks.http().build();
    FakeHealthControl control = new FakeHealthControl(ticker);
    HealthInput input = input(check, control);
    checkRound(control);
    assertEquals(1, backend.open.get(), "the connection is kept alive between checks");
    OkHttpClient client = check.currentClient();
    input.close();
    FakeHealthControl.await(() -> backend.open.get() == 0, "the client to close its kept-alive connection");
    assertTrue(client.dispatcher().executorService().isShutdown(), "the dispatcher's threads are stopped");
    assertEquals(0, client.connectionPool().connectionCount());
    assertNull(check.currentClient(), "the check let go of the client");
  }

  @Test
  void aCheckSharedByTwoInputsKeepsWorkingUntilTheLastOneCloses() throws Exception {
    HttpCheck check = (HttpCheck) HealthChecks.http().build();
    FakeHealthControl first = new FakeHealthControl(ticker);
    FakeHealthControl second = new FakeHealthControl(ticker);
    HealthInput one = input(check, first);
    HealthInput two = input(check, second);
    scheduler.runDue();
    FakeHealthControl.await(() -> first.active.get(server.id()) == ActiveHealth.HEALTHY
        && second.active.get(server.id()) == ActiveHealth.HEALTHY, "both verdicts");
    one.close();
    ticker.advance(Duration.ofSeconds(1));
    checkRound(second);
    two.close();
    FakeHealthControl.await(() -> backend.open.get() == 0, "the last input to close the connections");
  }

  @Test
  void aCheckWhoseInputsClosedWorksAgainInANewInput() throws Exception {
    HttpCheck check = (HttpCheck) HealthChecks.http().build();
    input(check, new FakeHealthControl(ticker)).close();
    FakeHealthControl control = new FakeHealthControl(ticker);
    HealthInput again = input(check, control);
    checkRound(control);
    again.close();
    FakeHealthControl.await(() -> backend.open.get() == 0, "the connection to close");
  }

  /**
   * A loopback HTTP/1.1 server that answers every request with an empty 200 on a kept-alive
   * connection, and counts the connections the client has not closed yet.
   */
  private static final class KeepAliveBackend implements AutoCloseable {
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    KeepAliveBackend() throws IOException {
      listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(this::accept, "keep-alive-backend");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    private void accept() {
      try {
        while (true) {
          Socket socket = listener.accept();
          sockets.add(socket);
          open.incrementAndGet();
          Thread t = new Thread(() -> serve(socket), "keep-alive-connection");
          t.setDaemon(true);
          t.start();
        }
      } catch (IOException closed) {
        // the test is over
      }
    }

    private void serve(Socket socket) {
      try (socket) {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        OutputStream out = socket.getOutputStream();
        while (true) {
          String line = in.readLine();
          if (line == null) {
            return; // the client closed the connection
          }
          while (!line.isEmpty()) {
            line = in.readLine();
            if (line == null) {
              return;
            }
          }
          requests.incrementAndGet();
          out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        }
      } catch (IOException e) {
        // reset by the client: closed as well
      } finally {
        open.decrementAndGet();
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
