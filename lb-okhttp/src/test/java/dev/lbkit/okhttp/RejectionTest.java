package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Ticker;
import dev.lbkit.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every way lbkit refuses a call reaches an async caller's {@code onFailure} as an {@link
 * LbException} (an IOException) with its reason. Anything else thrown under {@code enqueue()}
 * would reach the uncaught-exception handler while the callback saw only "canceled due to ...".
 * User code lbkit calls (classifier, hash-key function) cannot turn a call into such a failure.
 */
class RejectionTest {
  private Backends backends;

  @BeforeEach
  void start() throws IOException {
    backends = Backends.start(2);
  }

  @AfterEach
  void close() throws IOException {
    backends.close();
  }

  private static OkHttpClient wrap(LbConfig.Builder config) {
    return LbOkHttp.wrap(new OkHttpClient(), config.build());
  }

  private static Request get(String url) {
    return new Request.Builder().url(url).build();
  }

  /** Enqueues {@code request}; returns what onFailure received, or fails when it was answered. */
  private static IOException asyncFailure(OkHttpClient client, Request request) throws Exception {
    CompletableFuture<IOException> failure = new CompletableFuture<>();
    client.newCall(request).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        failure.complete(e);
      }

      @Override
      public void onResponse(Call call, Response response) {
        response.close();
        failure.completeExceptionally(new AssertionError("answered " + response.code()));
      }
    });
    return failure.get(10, TimeUnit.SECONDS);
  }

  private static LbException rejection(OkHttpClient client, Request request, LbException.Reason reason) throws Exception {
    LbException e = assertInstanceOf(LbException.class, asyncFailure(client, request));
    assertEquals(reason, e.reason(), e.getMessage());
    return e;
  }

  /** An async call that must be answered; returns the status. */
  private static int asyncStatus(OkHttpClient client, Request request) throws Exception {
    CompletableFuture<Integer> status = new CompletableFuture<>();
    client.newCall(request).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        status.completeExceptionally(e);
      }

      @Override
      public void onResponse(Call call, Response response) {
        try (response) {
          response.body().string();
          status.complete(response.code());
        } catch (IOException e) {
          status.completeExceptionally(e);
        }
      }
    });
    return status.get(10, TimeUnit.SECONDS);
  }

  @Test
  void noServer() throws Exception {
    LoadBalancer empty = LoadBalancer.builder("user-service").algorithm(Algorithms.roundRobin()).servers(List.of()).build();
    OkHttpClient client = wrap(LbConfig.builder().cluster("user-service", empty));
    assertEquals("user-service: no servers",
        rejection(client, get("http://user-service/"), LbException.Reason.NO_SERVER).getMessage());
  }

  @Test
  void closedBalancer() throws Exception {
    LoadBalancer lb = Backends.roundRobin("user-service", backends.all());
    OkHttpClient client = wrap(LbConfig.builder().cluster("user-service", lb));
    lb.close();
    LbException e = rejection(client, get("http://user-service/"), LbException.Reason.CLOSED);
    assertTrue(e.getMessage().startsWith("user-service: "), e.getMessage());
  }

  @Test
  void pickerThatThrows() throws Exception {
    OkHttpClient client = wrap(LbConfig.builder().cluster("user-service", ctx -> {
      throw new IllegalStateException("bug");
    }));
    assertEquals("user-service: picker failed: java.lang.IllegalStateException: bug",
        rejection(client, get("http://user-service/"), LbException.Reason.NO_SERVER).getMessage());
  }

  @Test
  void unknownHostInStrictMode() throws Exception {
    OkHttpClient client = wrap(LbConfig.builder().strict(true)
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())));
    assertEquals("outside: no cluster or rule for this host (strict mode)",
        rejection(client, get("http://outside/"), LbException.Reason.UNKNOWN_HOST).getMessage());
  }

  @Test
  void rateLimited() throws Exception {
    FakeTicker ticker = new FakeTicker();
    OkHttpClient client = wrap(LbConfig.builder().ticker(ticker).sleeper(ticker::advanceNanos)
        .cluster("user-service", Backends.roundRobin("user-service", backends.all()))
        .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1, Duration.ofSeconds(1)).build()));
    assertEquals(200, asyncStatus(client, get("http://user-service/")));
    rejection(client, get("http://user-service/"), LbException.Reason.RATE_LIMITED);
  }

  @Test
  void retryBudgetExhausted() throws Exception {
    FakeTicker ticker = new FakeTicker();
    RetryPolicy noBudget = RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1)
        .budget(0, 0, Duration.ofSeconds(1)).build();
    OkHttpClient client = wrap(LbConfig.builder().retryPolicy(noBudget).ticker(ticker).sleeper(ticker::advanceNanos)
        .cluster("user-service", Backends.roundRobin("user-service", List.of(Backends.refusing(), Backends.refusing()))));
    LbException e = rejection(client, get("http://user-service/"), LbException.Reason.RETRY_BUDGET_EXHAUSTED);
    assertInstanceOf(java.net.ConnectException.class, e.getCause());
  }

  @Test
  void deadlinePassed() throws Exception {
    // A clock that moves an hour at every reading: the deadline has passed before any attempt.
    AtomicLong now = new AtomicLong();
    Ticker leaping = () -> now.addAndGet(TimeUnit.HOURS.toNanos(1));
    OkHttpClient client = wrap(LbConfig.builder().ticker(leaping).callTimeout(Duration.ofSeconds(5))
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())));
    assertEquals("user-service: call deadline passed before an attempt could start",
        rejection(client, get("http://user-service/"), LbException.Reason.DEADLINE_EXCEEDED).getMessage());
    assertEquals(0, backends.dispatcher(0).count.get() + backends.dispatcher(1).count.get());
  }

  @Test
  void aClassifierThatThrowsFallsBackToTheDefaultAndTheSelectionCompletes() throws Exception {
    LoadBalancer lb = Backends.roundRobin("user-service", backends.all());
    OutcomeClassifier broken = new OutcomeClassifier() {
      @Override
      public Outcome classify(Response response) {
        throw new IllegalStateException("classifier bug");
      }

      @Override
      public Outcome classify(IOException failure) {
        return null;
      }
    };
    OkHttpClient client = wrap(LbConfig.builder().classifier(broken).cluster("user-service", lb));
    for (int i = 0; i < 2; i++) {
      assertEquals(200, asyncStatus(client, get("http://user-service/")));
    }
    assertEquals(2, LbOkHttp.counters(client).get("user-service").successes());
    assertEquals(0, lb.servers().get(0).inFlight() + lb.servers().get(1).inFlight());
  }

  @Test
  void aHashKeyFunctionThatThrowsGetsANormalPick() throws Exception {
    OkHttpClient client = wrap(LbConfig.builder()
        .cluster("user-service", Backends.balancer("user-service", Algorithms.ringHash().build(), backends.all()))
        .sticky("user-service", StickyPolicy.hashKey(r -> {
          throw new IllegalArgumentException("no tenant");
        })));
    assertEquals(200, asyncStatus(client, get("http://user-service/")));
  }
}
