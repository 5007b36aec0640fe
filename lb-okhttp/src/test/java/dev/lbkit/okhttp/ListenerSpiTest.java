package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Outcome;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The call, attempt and refusal events that metrics and tracing are built on. */
class ListenerSpiTest {
  private Backends backends;

  @BeforeEach
  void start() throws IOException {
    backends = Backends.start(2);
  }

  @AfterEach
  void close() throws IOException {
    backends.close();
  }

  /** Records the new events as short strings, and sets a header naming each attempt. */
  static final class FakeTracingListener implements LbEventListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<LbAttempt> sent = new CopyOnWriteArrayList<>();
    final List<LbAttempt> ended = new CopyOnWriteArrayList<>();

    @Override
    public void callStarted(Call call, Request request) {
      events.add("call start " + request.method() + " " + request.url().host());
    }

    @Override
    public void callEnded(Call call, Request request, Response response, Throwable failure, long durationNanos) {
      events.add("call end " + (response != null ? response.code() : failure.getClass().getSimpleName()));
      assertTrue(durationNanos >= 0);
    }

    @Override
    public void attemptSending(LbAttempt attempt, HeaderSetter headers) {
      sent.add(attempt);
      headers.set("traceparent", "attempt-" + attempt.number());
      events.add("send " + attempt.number() + " " + attempt.decision()
          + (attempt.retryReason() == null ? "" : " after " + attempt.retryReason()));
    }

    @Override
    public void attemptEnded(LbAttempt attempt, Outcome outcome, int statusCode, Throwable failure, long latencyNanos) {
      ended.add(attempt);
      events.add("end " + attempt.number() + " " + outcome + " " + statusCode + (failure == null ? "" : " failed"));
    }

    @Override
    public void retryRefused(Call call, String cluster, int attempt, RetryRefusal refusal) {
      events.add("refused " + attempt + " " + refusal);
    }

    @Override
    public void callRejected(Call call, LbException rejection) {
      events.add("rejected " + rejection.reason());
    }
  }

  private OkHttpClient client(LbEventListener listener, RetryPolicy retry) {
    return LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().listener(listener).retryPolicy(retry)
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
  }

  private static RetryPolicy noBackoff(int attempts) {
    return RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1).maxAttempts(attempts).build();
  }

  @Test
  void aRetriedCallReportsEachAttemptWithItsDecisionAndRetryReason() throws IOException {
    backends.dispatcher(0).always = new MockResponse.Builder().code(503).build();
    backends.dispatcher(1).always = new MockResponse.Builder().code(503).build();
    backends.dispatcher(0).script.add(new MockResponse.Builder().code(503).build());
    FakeTracingListener listener = new FakeTracingListener();
    assertEquals("503 ", BalancingTest.get(client(listener, noBackoff(2)), "http://user-service/"));
    String first = listener.sent.get(0).server().id();
    String second = listener.sent.get(1).server().id();
    assertEquals(List.of(
        "call start GET user-service",
        "send 1 picked " + first + " by round-robin",
        "end 1 SERVER_ERROR 503",
        "send 2 picked " + second + " by round-robin; avoided " + first + " (tried) after status 503",
        "end 2 SERVER_ERROR 503",
        "call end 503"), listener.events);
    assertEquals(listener.sent, listener.ended);
    assertSame(listener.sent.get(1), listener.ended.get(1), "one instance per attempt, from sending to end");
    assertEquals("round-robin", listener.sent.get(0).algorithm());
    assertEquals("user-service", listener.sent.get(0).cluster());
    assertEquals("user-service", listener.sent.get(0).request().url().host(), "the logical request");
  }

  @Test
  void headersSetByTheListenerReachEachAttempt() throws Exception {
    backends.dispatcher(0).script.add(new MockResponse.Builder().code(503).build());
    backends.dispatcher(1).script.add(new MockResponse.Builder().code(503).build());
    FakeTracingListener listener = new FakeTracingListener();
    BalancingTest.get(client(listener, noBackoff(2)), "http://user-service/");
    List<String> seen = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 2; i++) {
      RecordedRequest r = backends.dispatcher(i).recorded.poll();
      if (r != null) {
        seen.add(r.getHeaders().get("traceparent"));
      }
    }
    seen.sort(null);
    assertEquals(List.of("attempt-1", "attempt-2"), seen);
  }

  @Test
  void aListenerCannotSetTheHostHeaderAndTheCallGoesOn() throws Exception {
    List<String> errors = new CopyOnWriteArrayList<>();
    LbEventListener listener = new LbEventListener() {
      @Override
      public void attemptSending(LbAttempt attempt, HeaderSetter headers) {
        headers.set("x-before", "1");
        try {
          headers.set("Host", "evil");
        } catch (IllegalArgumentException e) {
          errors.add(e.getMessage());
        }
        headers.set("bad\nname", "x");
      }
    };
    assertTrue(BalancingTest.get(client(listener, noBackoff(1)), "http://user-service/").startsWith("200 "));
    assertEquals(List.of("the Host header is lbkit's, a listener cannot set it"), errors);
    RecordedRequest r = backends.dispatcher(0).recorded.poll();
    if (r == null) {
      r = backends.dispatcher(1).recorded.poll();
    }
    assertEquals("1", r.getHeaders().get("x-before"), "headers set before the listener threw are kept");
    assertEquals("user-service", r.getHeaders().get("Host"));
  }

  @Test
  void anExhaustedBudgetIsReportedAsARefusedRetry() throws IOException {
    backends.dispatcher(0).always = new MockResponse.Builder().code(503).build();
    backends.dispatcher(1).always = new MockResponse.Builder().code(503).build();
    FakeTracingListener listener = new FakeTracingListener();
    RetryPolicy noBudget = RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1).maxAttempts(2)
        .budget(0, 0, Duration.ofSeconds(1)).build();
    assertEquals("503 ", BalancingTest.get(client(listener, noBudget), "http://user-service/"));
    assertEquals("refused 1 RETRY_BUDGET", listener.events.get(3));
    assertEquals("call end 503", listener.events.get(4));
  }

  @Test
  void aThrottledRetryIsReportedAsARefusedRetry() throws IOException {
    backends.dispatcher(0).always = new MockResponse.Builder().code(503).build();
    backends.dispatcher(1).always = new MockResponse.Builder().code(503).build();
    FakeTracingListener listener = new FakeTracingListener();
    OkHttpClient client = client(listener, noBackoff(2));
    // Every attempt fails: once the throttle's window holds enough failures, retries stop.
    for (int i = 0; i < 10; i++) {
      assertEquals("503 ", BalancingTest.get(client, "http://user-service/"));
    }
    assertTrue(listener.events.contains("refused 1 RETRY_THROTTLE"), listener.events.toString());
  }

  @Test
  void aRefusedCallStartsAndEndsWithItsRejection() {
    FakeTracingListener listener = new FakeTracingListener();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().listener(listener).strict(true)
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    assertThrows(LbException.class, () -> BalancingTest.get(client, "http://unknown-service/"));
    assertEquals(List.of("call start GET unknown-service", "rejected UNKNOWN_HOST", "call end LbException"),
        listener.events);
  }

  @Test
  void withoutAListenerNoAttemptIsBuilt() {
    ListenerDispatch none = new ListenerDispatch(LbEventListener.NONE);
    assertTrue(none.silent());
    assertNull(new ListenerDispatch(new LbEventListener() {}).attemptSending(null));
  }

  @Test
  void ofForwardsEveryEventToEachListenerEvenWhenOneThrows() throws IOException {
    FakeTracingListener first = new FakeTracingListener();
    FakeTracingListener second = new FakeTracingListener();
    LbEventListener broken = new LbEventListener() {
      @Override
      public void attemptSending(LbAttempt attempt, HeaderSetter headers) {
        throw new IllegalStateException("listener bug");
      }
    };
    LbEventListener all = LbEventListener.of(first, LbEventListener.NONE, broken, second);
    assertTrue(BalancingTest.get(client(all, noBackoff(1)), "http://user-service/").startsWith("200 "));
    assertEquals(first.events, second.events);
    assertEquals(4, first.events.size(), first.events.toString());
    assertSame(LbEventListener.NONE, LbEventListener.of(LbEventListener.NONE));
    assertSame(first, LbEventListener.of(first));
  }
}
