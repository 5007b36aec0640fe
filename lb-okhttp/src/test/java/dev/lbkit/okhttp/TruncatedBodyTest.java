package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.ServerView;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A response body cut off mid-way, as when its server is killed while answering: with {@link
 * RetryPolicy.Builder#retryTruncatedBodies(long)} an idempotent request is retried on another
 * server and the caller never sees the cut; without it, or for a POST, or for a body of unknown
 * or larger length, the caller's read fails as before. Backend 0 cuts every body after half of
 * it; backend 1 answers in full.
 */
class TruncatedBodyTest {
  private static final String BODY = "b".repeat(4096);

  private Backends backends;
  private LoadBalancer lb;

  @BeforeEach
  void start() throws IOException {
    backends = Backends.start(2);
    backends.dispatcher(0).always = new MockResponse.Builder().code(200).addHeader("X-Backend", 0).body(BODY)
        .onResponseBody(SocketEffect.ShutdownConnection.INSTANCE).build();
    backends.dispatcher(1).always = new MockResponse.Builder().code(200).addHeader("X-Backend", 1).body(BODY).build();
    lb = Backends.roundRobin("user-service", backends.all());
  }

  @AfterEach
  void close() throws IOException {
    lb.close();
    backends.close();
  }

  private OkHttpClient client(RetryPolicy policy) {
    return LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().retryPolicy(policy).cluster("user-service", lb).build());
  }

  private static RetryPolicy truncatedUpTo(long bytes) {
    return RetryPolicy.builder().backoff(java.time.Duration.ZERO, java.time.Duration.ZERO, 1).retryTruncatedBodies(bytes)
        .build();
  }

  /** Runs {@code n} calls of {@code request}; returns each one's body, or "failed: " and the read failure. */
  private static List<String> run(OkHttpClient client, Request request, int n) {
    List<String> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      try (Response r = client.newCall(request).execute()) {
        results.add(r.header("X-Backend") + ":" + r.body().string().length());
      } catch (IOException e) {
        results.add("failed: " + e);
      }
    }
    return results;
  }

  private ServerView view(int backend) {
    for (ServerView v : lb.servers()) {
      if (v.server().equals(backends.server(backend))) {
        return v;
      }
    }
    throw new AssertionError("no view of backend " + backend);
  }

  @Test
  void idempotentRequestWhoseBodyIsCutIsRetriedOnAnotherServer() {
    Request get = new Request.Builder().url("http://user-service/").build();
    List<String> results = run(client(truncatedUpTo(64 * 1024)), get, 6);

    assertEquals(List.of("1:4096", "1:4096", "1:4096", "1:4096", "1:4096", "1:4096"), results);
    assertTrue(backends.dispatcher(0).count.get() >= 2, "round robin sent first attempts to the cutting backend too");
    assertEquals(6, backends.dispatcher(1).count.get());
    assertEquals(Outcome.IO_ERROR, view(0).lastOutcome(), "the cut is the server's failure: " + view(0));
    assertEquals(Outcome.SUCCESS, view(1).lastOutcome());
    for (ServerView v : lb.servers()) {
      assertEquals(0, v.inFlight(), "every selection completed: " + v);
    }
  }

  @Test
  void withoutTheSettingTheCallersReadFails() {
    Request get = new Request.Builder().url("http://user-service/").build();
    List<String> results = run(client(truncatedUpTo(0)), get, 4);

    assertEquals(2, results.stream().filter(r -> r.startsWith("failed: ")).count(), results.toString());
    assertEquals(4, backends.dispatcher(0).count.get() + backends.dispatcher(1).count.get(), "no retries");
  }

  @Test
  void bodyLongerThanTheLimitStreamsAndItsCutFailsTheRead() {
    Request get = new Request.Builder().url("http://user-service/").build();
    List<String> results = run(client(truncatedUpTo(BODY.length() - 1)), get, 4);

    assertEquals(2, results.stream().filter(r -> r.startsWith("failed: ")).count(), results.toString());
  }

  @Test
  void bodyOfUnknownLengthStreamsAndItsCutFailsTheRead() {
    backends.dispatcher(0).always = new MockResponse.Builder().code(200).addHeader("X-Backend", 0)
        .chunkedBody(BODY, 512).onResponseBody(SocketEffect.ShutdownConnection.INSTANCE).build();
    Request get = new Request.Builder().url("http://user-service/").build();
    List<String> results = run(client(truncatedUpTo(64 * 1024)), get, 4);

    assertEquals(2, results.stream().filter(r -> r.startsWith("failed: ")).count(), results.toString());
  }

  @Test
  void postWhoseBodyIsCutIsNotRetried() {
    Request post = new Request.Builder().url("http://user-service/")
        .post(RequestBody.create("order", MediaType.get("text/plain"))).build();
    List<String> results = run(client(truncatedUpTo(64 * 1024)), post, 4);

    assertEquals(2, results.stream().filter(r -> r.startsWith("failed: ")).count(), results.toString());
    assertEquals(2, backends.dispatcher(0).count("POST"), "each POST reached one server once");
    assertEquals(2, backends.dispatcher(1).count("POST"));
  }

  @Test
  void limitOutsideItsRangeIsRejectedNamingTheField() {
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
        () -> RetryPolicy.builder().retryTruncatedBodies(-1).build());
    assertEquals("truncatedBodyLimit must be in [0, 16777216], was -1", negative.getMessage());
    IllegalArgumentException large = assertThrows(IllegalArgumentException.class,
        () -> RetryPolicy.builder().retryTruncatedBodies(RetryPolicy.MAX_TRUNCATED_BODY_LIMIT + 1).build());
    assertEquals("truncatedBodyLimit must be in [0, 16777216], was 16777217", large.getMessage());
  }
}
