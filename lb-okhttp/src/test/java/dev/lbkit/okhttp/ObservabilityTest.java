package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ObservabilityTest {
  private Backends backends;

  @BeforeEach
  void start() throws IOException {
    backends = Backends.start(2);
  }

  @AfterEach
  void close() throws IOException {
    backends.close();
  }

  /** Records events as short strings. */
  static final class FakeListener implements LbEventListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void routeDecided(Call call, Request request, String cluster, String reason) {
      events.add("route " + cluster + " (" + reason + ")");
    }

    @Override
    public void attemptStarted(Call call, String cluster, Server server, int attempt) {
      events.add("start " + attempt);
    }

    @Override
    public void attemptFinished(Call call, String cluster, Server server, int attempt, Outcome outcome, long latencyNanos) {
      events.add("finish " + attempt + " " + outcome);
    }

    @Override
    public void retryScheduled(Call call, String cluster, int nextAttempt, long backoffNanos, String reason) {
      events.add("retry " + nextAttempt + " after " + reason);
    }

    @Override
    public void callRejected(Call call, LbException rejection) {
      events.add("rejected " + rejection.reason());
    }
  }

  @Test
  void listenerSeesRouteAttemptsRetryAndOutcome() throws IOException {
    backends.dispatcher(0).always = new MockResponse.Builder().code(503).build();
    backends.dispatcher(1).always = new MockResponse.Builder().code(503).build();
    backends.dispatcher(0).script.add(new MockResponse.Builder().code(503).build());
    FakeListener listener = new FakeListener();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().listener(listener)
        .retryPolicy(RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1).maxAttempts(2).build())
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    assertEquals("503 ", BalancingTest.get(client, "http://user-service/"));
    assertEquals(List.of("route user-service (host)", "start 1", "finish 1 SERVER_ERROR", "retry 2 after status 503",
        "start 2", "finish 2 SERVER_ERROR"), listener.events);
  }

  @Test
  void aThrowingListenerDoesNotBreakTheCall() throws IOException {
    LbEventListener broken = new LbEventListener() {
      @Override
      public void attemptStarted(Call call, String cluster, Server server, int attempt) {
        throw new IllegalStateException("listener bug");
      }
    };
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().listener(broken)
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    assertTrue(BalancingTest.get(client, "http://user-service/").startsWith("200 "));
  }

  @Test
  void cancelledCallCompletesItsSelectionAsCancelled() throws Exception {
    backends.dispatcher(0).always = new MockResponse.Builder().headersDelay(10, TimeUnit.SECONDS).build();
    backends.dispatcher(1).always = backends.dispatcher(0).always;
    BalancingTest.FakeRecordingPicker picker = new BalancingTest.FakeRecordingPicker(
        Backends.roundRobin("user-service", backends.all()));
    List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .listener(new LbEventListener() {
          @Override
          public void attemptFinished(Call call, String cluster, Server server, int attempt, Outcome outcome, long latencyNanos) {
            outcomes.add(outcome);
          }
        })
        .cluster("user-service", picker).build());
    Call call = client.newCall(new Request.Builder().url("http://user-service/").build());
    Thread canceller = new Thread(() -> {
      try {
        // Cancel once the request has reached a backend (bounded wait).
        for (int i = 0; i < 1000 && backends.dispatcher(0).count.get() + backends.dispatcher(1).count.get() == 0; i++) {
          Thread.onSpinWait();
          TimeUnit.MILLISECONDS.sleep(5);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      call.cancel();
    });
    canceller.start();
    assertThrows(IOException.class, () -> call.execute().close());
    canceller.join(10_000);
    assertEquals(List.of(Outcome.CANCELLED), outcomes);
    assertEquals(1, picker.picks.get());
    assertEquals(1, picker.completions().size());
    assertEquals(0, picker.duplicates.get());
  }

  @Test
  void bodyReadFailureCompletesTheSelectionAsAFailure() throws Exception {
    backends.dispatcher(0).always = new MockResponse.Builder().body("0123456789")
        .onResponseBody(new mockwebserver3.SocketEffect.CloseSocket()).build();
    backends.dispatcher(1).always = backends.dispatcher(0).always;
    List<Outcome> reported = new CopyOnWriteArrayList<>();
    dev.lbkit.api.Picker recording = ctx -> {
      dev.lbkit.api.Selection s = Backends.roundRobin("x", backends.all()).pick(ctx);
      return new dev.lbkit.api.Selection() {
        @Override
        public Server server() {
          return s.server();
        }

        @Override
        public void complete(long latencyNanos, Outcome outcome) {
          reported.add(outcome);
        }
      };
    };
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().cluster("user-service", recording).build());
    try (Response r = client.newCall(new Request.Builder().url("http://user-service/").build()).execute()) {
      assertEquals(200, r.code());
      assertEquals(List.of(), reported);
      assertThrows(IOException.class, () -> r.body().string());
    }
    assertEquals(1, reported.size());
    assertTrue(reported.get(0).isFailure(), reported.toString());
  }
}
