package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Stale pooled HTTP/1.1 connections against a raw loopback server that closes connections the
 * way real servers do: after a response it promised to keep alive, after reading a request
 * without answering it, or with a reset while the request body is still being written. The
 * server records the id of every request it read completely.
 */
class StaleConnectionTest {
  private static final MediaType TEXT = MediaType.get("text/plain");

  /** What the server does with the n-th request (from 1) it reads on a connection. */
  enum Behavior {
    /** Answers 200 with keep-alive. */
    ANSWER,
    /** Answers 200 with keep-alive, then closes the connection. */
    ANSWER_THEN_CLOSE,
    /** Reads the whole request, records it, closes without answering. */
    READ_THEN_CLOSE,
    /** Reads the request headers only, then resets the connection (SO_LINGER 0). */
    RESET_AFTER_HEADERS
  }

  /** A raw HTTP/1.1 server; {@code script} chooses the behaviour by connection and request number. */
  static final class RawServer implements AutoCloseable {
    final ServerSocket socket;
    final List<String> ids = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    private final Script script;
    private final Thread acceptor;

    interface Script {
      Behavior behavior(int connection, int request);
    }

    RawServer(Script script) throws IOException {
      this.script = script;
      this.socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
      this.acceptor = new Thread(this::acceptLoop, "raw-server-" + socket.getLocalPort());
      acceptor.setDaemon(true);
      acceptor.start();
    }

    Server server() {
      return Server.of("127.0.0.1", socket.getLocalPort());
    }

    private void acceptLoop() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          int n = connections.incrementAndGet();
          Thread t = new Thread(() -> serve(s, n), "raw-conn-" + n);
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s, int connection) {
      try (s) {
        s.setTcpNoDelay(true);
        s.setSoTimeout(10_000);
        InputStream in = new BufferedInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        for (int request = 1; ; request++) {
          String id = null;
          long length = 0;
          String line = readLine(in);
          if (line == null) {
            return;
          }
          for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-id:")) {
              id = h.substring(5).trim();
            } else if (lower.startsWith("content-length:")) {
              length = Long.parseLong(h.substring(15).trim());
            }
          }
          Behavior b = script.behavior(connection, request);
          if (b == Behavior.RESET_AFTER_HEADERS) {
            s.setSoLinger(true, 0);
            return;
          }
          byte[] buffer = new byte[64 * 1024];
          for (long left = length; left > 0; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
              return;
            }
            left -= n;
          }
          ids.add(id);
          if (b == Behavior.READ_THEN_CLOSE) {
            return;
          }
          out.write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").getBytes(StandardCharsets.US_ASCII));
          out.flush();
          if (b == Behavior.ANSWER_THEN_CLOSE) {
            return;
          }
        }
      } catch (IOException e) {
        // the client went away
      }
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c = in.read(); c >= 0; c = in.read()) {
        if (c == '\n') {
          String s = b.toString(StandardCharsets.US_ASCII);
          return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }
        b.write(c);
      }
      return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private RawServer server;
  private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  private LbEventListener recorder() {
    return new LbEventListener() {
      @Override
      public void attemptFinished(Call call, String cluster, Server srv, int attempt, Outcome outcome, long latencyNanos) {
        outcomes.add(outcome);
      }
    };
  }

  private OkHttpClient client(RawServer s) {
    LoadBalancer lb = Backends.roundRobin("user-service", List.of(s.server()));
    return LbOkHttp.wrap(new OkHttpClient.Builder().readTimeout(5, TimeUnit.SECONDS).build(),
        LbConfig.builder().listener(recorder()).retryPolicy(RetryPolicy.builder().backoff(java.time.Duration.ZERO,
            java.time.Duration.ZERO, 1).build()).cluster("user-service", lb).build());
  }

  private static Request get(String id) {
    return new Request.Builder().url("http://user-service/").header("X-Id", id).build();
  }

  private static Request post(String id, int bytes) {
    return new Request.Builder().url("http://user-service/").header("X-Id", id)
        .post(RequestBody.create(new byte[bytes], TEXT)).build();
  }

  private static String execute(OkHttpClient client, Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      return r.code() + " " + r.body().string();
    }
  }

  private static String enqueue(OkHttpClient client, Request request) throws Exception {
    CompletableFuture<String> f = new CompletableFuture<>();
    client.newCall(request).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        f.completeExceptionally(e);
      }

      @Override
      public void onResponse(Call call, Response response) throws IOException {
        try (response) {
          f.complete(response.code() + " " + response.body().string());
        }
      }
    });
    try {
      return f.get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void getOnAConnectionClosedAfterItsLastResponseIsRetriedOnAFreshConnection() throws IOException {
    server = new RawServer((connection, request) -> connection == 1 ? Behavior.ANSWER_THEN_CLOSE : Behavior.ANSWER);
    OkHttpClient client = client(server);
    assertEquals("200 ok", execute(client, get("g1")));
    assertEquals("200 ok", execute(client, get("g2")));
    assertEquals(List.of("g1", "g2"), server.ids);
    assertEquals(2, server.connections.get());
    assertEquals(List.of(Outcome.SUCCESS, Outcome.CANCELLED, Outcome.SUCCESS), outcomes, "the stale attempt blames nobody");
    ClusterCounters c = LbOkHttp.counters(client).get("user-service");
    assertEquals(List.of(3L, 1L, 0L), List.of(c.attempts(), c.retries(), c.failures()), c.toString());
  }

  @Test
  void aStaleConnectionIsRetriedOnAnotherServerWhenThereIsOne() throws Exception {
    server = new RawServer((connection, request) -> connection == 1 ? Behavior.ANSWER_THEN_CLOSE : Behavior.ANSWER);
    try (RawServer other = new RawServer((connection, request) -> connection == 1 ? Behavior.ANSWER_THEN_CLOSE : Behavior.ANSWER)) {
      LoadBalancer lb = Backends.roundRobin("user-service", List.of(server.server(), other.server()));
      OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().listener(recorder())
          .retryPolicy(RetryPolicy.builder().backoff(java.time.Duration.ZERO, java.time.Duration.ZERO, 1).build())
          .cluster("user-service", lb).build());
      List<String> first = new java.util.ArrayList<>();
      for (String id : List.of("s1", "s2", "s3", "s4")) {
        first.add(execute(client, get(id)));
      }
      assertEquals(List.of("200 ok", "200 ok", "200 ok", "200 ok"), first);
      // Both servers close their first connection after one answer. Round robin: s1 on A, s2 on
      // B, s3 on A's stale connection and then on a fresh connection to B, s4 on a new one to A.
      RawServer a = server.ids.contains("s1") ? server : other;
      RawServer b = a == server ? other : server;
      assertEquals(List.of("s1", "s4"), a.ids);
      assertEquals(List.of("s2", "s3"), b.ids);
      assertEquals(List.of(2, 2), List.of(a.connections.get(), b.connections.get()));
      assertEquals(List.of(Outcome.SUCCESS, Outcome.SUCCESS, Outcome.CANCELLED, Outcome.SUCCESS, Outcome.SUCCESS),
          outcomes);
      for (dev.lbkit.api.ServerView v : lb.servers()) {
        assertEquals(0, v.consecutiveFailures(), v.toString());
      }
    }
  }

  @Test
  void getOnAStaleConnectionThroughEnqueueIsRetriedToo() throws Exception {
    server = new RawServer((connection, request) -> connection == 1 ? Behavior.ANSWER_THEN_CLOSE : Behavior.ANSWER);
    OkHttpClient client = client(server);
    assertEquals("200 ok", enqueue(client, get("a1")));
    assertEquals("200 ok", enqueue(client, get("a2")));
    assertEquals(List.of("a1", "a2"), server.ids);
    assertEquals(List.of(Outcome.SUCCESS, Outcome.CANCELLED, Outcome.SUCCESS), outcomes);
  }

  @Test
  void getThatTheServerReadAndDroppedIsRetriedOnce() throws Exception {
    server = new RawServer((connection, request) -> connection == 1 && request == 2 ? Behavior.READ_THEN_CLOSE : Behavior.ANSWER);
    OkHttpClient client = client(server);
    assertEquals("200 ok", execute(client, get("r1")));
    assertEquals("200 ok", execute(client, get("r2")));
    assertEquals(List.of("r1", "r2", "r2"), server.ids, "an idempotent request may run twice");
  }

  @Test
  void postWhoseBytesReachedTheServerIsNotRetried() throws Exception {
    for (boolean async : new boolean[] {false, true}) {
      outcomes.clear();
      server = new RawServer((connection, request) -> connection == 1 && request == 2 ? Behavior.READ_THEN_CLOSE : Behavior.ANSWER);
      OkHttpClient client = client(server);
      String p = async ? "q" : "p";
      assertEquals("200 ok", async ? enqueue(client, post(p + "1", 10)) : execute(client, post(p + "1", 10)));
      IOException e = assertThrows(IOException.class,
          () -> { if (async) { enqueue(client, post(p + "2", 10)); } else { execute(client, post(p + "2", 10)); } });
      assertTrue(e.getMessage().startsWith("unexpected end of stream on http://user-service:"), e.getMessage());
      assertEquals(List.of(p + "1", p + "2"), server.ids, "the POST ran once");
      assertEquals(1, server.connections.get(), "no second connection: no retry");
      assertEquals(List.of(Outcome.SUCCESS, Outcome.CANCELLED), outcomes, "a stale connection blames nobody");
      server.close();
    }
  }

  @Test
  void postWhoseBodyWriteFailedIsRetriedOnceOnAFreshConnection() throws Exception {
    for (boolean async : new boolean[] {false, true}) {
      outcomes.clear();
      server = new RawServer((connection, request) -> connection == 1 && request == 2 ? Behavior.RESET_AFTER_HEADERS : Behavior.ANSWER);
      OkHttpClient client = client(server);
      String p = async ? "w" : "v";
      assertEquals("200 ok", async ? enqueue(client, post(p + "1", 10)) : execute(client, post(p + "1", 10)));
      // 16 MB: more than the socket buffers hold, so the reset meets the body's write.
      int big = 16 << 20;
      assertEquals("200 ok", async ? enqueue(client, post(p + "2", big)) : execute(client, post(p + "2", big)));
      assertEquals(List.of(p + "1", p + "2"), server.ids, "the POST ran once, on the retry");
      assertEquals(2, server.connections.get());
      assertEquals(List.of(Outcome.SUCCESS, Outcome.CANCELLED, Outcome.SUCCESS), outcomes);
      server.close();
    }
  }
}
