package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BalancingTest {
  private Backends backends;

  @AfterEach
  void close() throws IOException {
    if (backends != null) {
      backends.close();
    }
  }

  private static OkHttpClient base() {
    return new OkHttpClient.Builder().dns(new Backends.FakeDns("outside")).build();
  }

  private static RetryPolicy noBackoff() {
    return RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1).build();
  }

  static String get(OkHttpClient client, String url) throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
      return r.code() + " " + r.body().string();
    }
  }

  @Test
  void roundRobinSpreadsExactlyEvenlyOverThreeBackends() throws IOException {
    backends = Backends.start(3);
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder()
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    for (int i = 0; i < 90; i++) {
      assertTrue(get(client, "http://user-service/api/users/" + i).startsWith("200 "));
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(30, backends.dispatcher(i).count.get(), "backend " + i);
    }
    assertEquals(90, LbOkHttp.counters(client).get("user-service").requests());
    assertEquals(90, LbOkHttp.counters(client).get("user-service").successes());
  }

  @Test
  void logicalHostHeaderAndPathReachTheServer() throws Exception {
    backends = Backends.start(1);
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder()
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    get(client, "http://user-service/api/users/1?x=2");
    var recorded = backends.dispatcher(0).recorded.take();
    assertEquals("user-service", recorded.getHeaders().get("Host"));
    assertEquals("/api/users/1?x=2", recorded.getTarget());
  }

  @Test
  void serverHostHeaderWhenConfigured() throws Exception {
    backends = Backends.start(1);
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder()
        .hostHeader(LbConfig.HostHeader.SERVER)
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    get(client, "http://user-service/");
    assertEquals(backends.server(0).id(), backends.dispatcher(0).recorded.take().getHeaders().get("Host"));
  }

  @Test
  void failoverWithOneBackendDownFailsNoGet() throws IOException {
    backends = Backends.start(2);
    List<Server> servers = new ArrayList<>(backends.all());
    servers.add(1, Backends.refusing());
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().retryPolicy(noBackoff())
        .cluster("user-service", Backends.roundRobin("user-service", servers)).build());
    int failed = 0;
    for (int i = 0; i < 30; i++) {
      if (!get(client, "http://user-service/").startsWith("200 ")) {
        failed++;
      }
    }
    assertEquals(0, failed);
    assertEquals(30, backends.dispatcher(0).count.get() + backends.dispatcher(1).count.get());
    ClusterCounters c = LbOkHttp.counters(client).get("user-service");
    // Each attempt on the dead server failed once and was retried once, elsewhere.
    assertTrue(c.failures() >= 5, c.toString());
    assertEquals(c.failures(), c.retries());
    assertEquals(30 + c.retries(), c.attempts());
  }

  @Test
  void postIsNotRetriedAfterItReachedAServer() throws IOException {
    backends = Backends.start(2);
    for (int i = 0; i < 2; i++) {
      backends.dispatcher(i).always = new MockResponse.Builder()
          .onResponseStart(new SocketEffect.CloseSocket()).build();
    }
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().retryPolicy(noBackoff())
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    Request post = new Request.Builder().url("http://user-service/orders")
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
    assertThrows(IOException.class, () -> client.newCall(post).execute().close());
    assertEquals(1, backends.dispatcher(0).count("POST") + backends.dispatcher(1).count("POST"));
  }

  @Test
  void getIsRetriedOnAnotherServerAfterTheSameFailure() throws IOException {
    backends = Backends.start(3);
    backends.dispatcher(0).always = new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
    backends.dispatcher(1).always = new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().retryPolicy(noBackoff())
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    for (int i = 0; i < 3; i++) {
      assertEquals("200 2", get(client, "http://user-service/"));
    }
    // Never the same server twice within a call: each call tried each failing server at most once.
    assertTrue(backends.dispatcher(0).count("GET") <= 3);
    assertEquals(3, backends.dispatcher(2).count("GET"));
  }

  @Test
  void postIsRetriedWhenTheConnectionWasRefused() throws IOException {
    backends = Backends.start(1);
    List<Server> servers = List.of(Backends.refusing(), backends.server(0));
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().retryPolicy(noBackoff())
        .cluster("user-service", Backends.roundRobin("user-service", servers)).build());
    Request post = new Request.Builder().url("http://user-service/orders")
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
    for (int i = 0; i < 4; i++) {
      try (Response r = client.newCall(post).execute()) {
        assertEquals(200, r.code());
      }
    }
    assertEquals(4, backends.dispatcher(0).count("POST"));
  }

  @Test
  void postWith503IsNotRetried() throws IOException {
    backends = Backends.start(2);
    backends.dispatcher(0).always = new MockResponse.Builder().code(503).build();
    backends.dispatcher(1).always = new MockResponse.Builder().code(503).build();
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().retryPolicy(noBackoff())
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    Request post = new Request.Builder().url("http://user-service/orders")
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
    try (Response r = client.newCall(post).execute()) {
      assertEquals(503, r.code());
    }
    assertEquals(1, backends.dispatcher(0).count("POST") + backends.dispatcher(1).count("POST"));
  }

  @Test
  void retriesStopWhenTheBudgetIsSpent() throws IOException {
    backends = Backends.start(3);
    for (int i = 0; i < 3; i++) {
      backends.dispatcher(i).always = new MockResponse.Builder().code(503).build();
    }
    FakeTicker ticker = new FakeTicker();
    // No share of requests, one retry per second over a one-second window: one retry in all.
    RetryPolicy policy = RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1)
        .budget(0, 1, Duration.ofSeconds(1)).build();
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().retryPolicy(policy).ticker(ticker).sleeper(ticker::advanceNanos)
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    assertEquals("503 ", get(client, "http://user-service/"));
    assertEquals("503 ", get(client, "http://user-service/"));
    ClusterCounters c = LbOkHttp.counters(client).get("user-service");
    assertEquals(1, c.retries());
    assertEquals(2, c.budgetExhausted());
    assertEquals(3, backends.dispatcher(0).count.get() + backends.dispatcher(1).count.get() + backends.dispatcher(2).count.get());
    ticker.advance(Duration.ofSeconds(2));
    get(client, "http://user-service/");
    assertEquals(2, LbOkHttp.counters(client).get("user-service").retries());
  }

  @Test
  void exhaustedBudgetAfterAFailureRaisesAnIoException() throws IOException {
    FakeTicker ticker = new FakeTicker();
    RetryPolicy policy = RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1)
        .budget(0, 0, Duration.ofSeconds(1)).build();
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().retryPolicy(policy).ticker(ticker).sleeper(ticker::advanceNanos)
        .cluster("user-service", Backends.roundRobin("user-service", List.of(Backends.refusing(), Backends.refusing())))
        .build());
    LbException e = assertThrows(LbException.class, () -> get(client, "http://user-service/"));
    assertEquals(LbException.Reason.RETRY_BUDGET_EXHAUSTED, e.reason());
    assertTrue(e.getMessage().startsWith("user-service: retry budget exhausted (0% of requests + 0/s); last failure: "),
        e.getMessage());
  }

  @Test
  void noServerFailsAtOnceWithClusterAndReason() throws IOException {
    LoadBalancer empty = LoadBalancer.builder("user-service")
        .algorithm(dev.lbkit.algorithms.Algorithms.roundRobin()).servers(List.of()).build();
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().cluster("user-service", empty).build());
    LbException e = assertThrows(LbException.class, () -> get(client, "http://user-service/"));
    assertEquals(LbException.Reason.NO_SERVER, e.reason());
    assertEquals("user-service", e.cluster());
    assertEquals("user-service: no servers", e.getMessage());
    assertEquals(1, LbOkHttp.counters(client).get("user-service").noServer());
  }

  @Test
  void noPickableServerNamesTheHealthReason() throws Exception {
    backends = Backends.start(2);
    HealthInput allDown = new HealthInput() {
      private HealthControl control;

      @Override
      public void start(HealthControl control) {
        this.control = control;
      }

      @Override
      public void onServersChanged(List<dev.lbkit.api.Endpoint> endpoints) {
        for (dev.lbkit.api.Endpoint e : endpoints) {
          control.setActive(e.server(), ActiveHealth.UNHEALTHY, "probe failed");
        }
      }
    };
    LoadBalancer lb = LoadBalancer.builder("user-service").algorithm(dev.lbkit.algorithms.Algorithms.roundRobin())
        .servers(backends.all()).healthInput(allDown).panicMode(LoadBalancer.PanicMode.FAIL_FAST).build();
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().cluster("user-service", lb).build());
    // Async: the rejection reaches onFailure as an IOException, not the uncaught-exception handler.
    java.util.concurrent.CompletableFuture<IOException> failure = new java.util.concurrent.CompletableFuture<>();
    client.newCall(new Request.Builder().url("http://user-service/").build()).enqueue(new okhttp3.Callback() {
      @Override
      public void onFailure(okhttp3.Call call, IOException e) {
        failure.complete(e);
      }

      @Override
      public void onResponse(okhttp3.Call call, Response response) {
        response.close();
        failure.complete(null);
      }
    });
    IOException e = failure.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertInstanceOf(LbException.class, e);
    assertEquals("user-service: 0 of 2 servers pickable (2 unhealthy); panic: 0 of 2 servers pickable,"
        + " below the 50% panic threshold; fail-fast mode", e.getMessage());
    assertEquals(0, backends.dispatcher(0).count.get() + backends.dispatcher(1).count.get());
  }

  @Test
  void blackHoledBackendTimesOutAndTheCallFailsOver() throws IOException {
    backends = Backends.start(1);
    List<Server> servers = List.of(backends.blackHole(), backends.server(0));
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().retryPolicy(noBackoff())
        .attemptTimeouts(Duration.ofMillis(500), Duration.ofMillis(200), Duration.ofMillis(200))
        .cluster("user-service", Backends.roundRobin("user-service", servers)).build());
    for (int i = 0; i < 4; i++) {
      assertEquals("200 0", get(client, "http://user-service/"));
    }
    ClusterCounters c = LbOkHttp.counters(client).get("user-service");
    assertTrue(c.failures() >= 1, c.toString());
    assertEquals(c.failures(), c.retries());
  }

  @Test
  void callDeadlineBoundsAClusterOfBlackHoles() throws IOException {
    backends = Backends.start(0);
    List<Server> servers = List.of(backends.blackHole(), backends.blackHole(), backends.blackHole());
    List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().retryPolicy(noBackoff())
        .callTimeout(Duration.ofMillis(600))
        .attemptTimeouts(Duration.ofMillis(500), Duration.ofMillis(250), Duration.ofMillis(250))
        .listener(new LbEventListener() {
          @Override
          public void attemptFinished(okhttp3.Call call, String cluster, Server server, int attempt, Outcome outcome, long latencyNanos) {
            outcomes.add(outcome);
          }
        })
        .cluster("user-service", Backends.roundRobin("user-service", servers)).build());
    long t0 = System.nanoTime();
    IOException e = assertThrows(IOException.class, () -> get(client, "http://user-service/"));
    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(elapsedMs < 3000, "took " + elapsedMs + " ms: " + e);
    assertTrue(outcomes.size() >= 1 && outcomes.size() <= 3, outcomes.toString());
    for (Outcome o : outcomes) {
      assertEquals(Outcome.TIMEOUT, o);
    }
  }

  @Test
  void noAttemptStartsWhenTheBackoffWouldPassTheDeadline() throws IOException {
    backends = Backends.start(2);
    backends.dispatcher(0).always = new MockResponse.Builder().code(503).build();
    backends.dispatcher(1).always = new MockResponse.Builder().code(503).build();
    RetryPolicy slow = RetryPolicy.builder().backoff(Duration.ofSeconds(5), Duration.ofSeconds(5), 1).jitter(0).build();
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().retryPolicy(slow).callTimeout(Duration.ofSeconds(2))
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    assertEquals("503 ", get(client, "http://user-service/"));
    assertEquals(1, backends.dispatcher(0).count.get() + backends.dispatcher(1).count.get());
  }

  @Test
  void unknownHostPassesThroughUntouched() throws Exception {
    backends = Backends.start(1);
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder()
        .cluster("user-service", Backends.roundRobin("user-service", List.of(Backends.refusing()))).build());
    assertEquals("200 0", get(client, "http://outside:" + backends.servers.get(0).getPort() + "/x"));
    assertEquals("outside:" + backends.servers.get(0).getPort(), backends.dispatcher(0).recorded.take().getHeaders().get("Host"));
  }

  @Test
  void strictModeRejectsAnUnknownHost() {
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().strict(true)
        .cluster("user-service", Backends.roundRobin("user-service", List.of(Server.of("127.0.0.1", 1)))).build());
    LbException e = assertThrows(LbException.class, () -> get(client, "http://outside/x"));
    assertEquals(LbException.Reason.UNKNOWN_HOST, e.reason());
    assertEquals("outside: no cluster or rule for this host (strict mode)", e.getMessage());
  }

  @Test
  void everySelectionIsCompletedOnceAndStreamedBodiesWhenClosed() throws IOException {
    backends = Backends.start(2);
    backends.dispatcher(0).always = new MockResponse.Builder().code(503).build();
    FakeRecordingPicker picker = new FakeRecordingPicker(Backends.roundRobin("user-service", backends.all()));
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().retryPolicy(noBackoff())
        .cluster("user-service", picker).build());
    for (int call = 0; call < 2; call++) {
      int before = picker.completions().size();
      Response r = client.newCall(new Request.Builder().url("http://user-service/").build()).execute();
      assertEquals(200, r.code());
      // A retried 503 attempt is complete at once; the streamed 200 only when its body is done.
      for (String c : picker.completions().subList(before, picker.completions().size())) {
        assertEquals("503:SERVER_ERROR", c);
      }
      r.body().string();
      r.close();
      List<String> all = picker.completions();
      assertEquals("200:SUCCESS", all.get(all.size() - 1));
    }
    assertTrue(picker.completions().contains("503:SERVER_ERROR"), picker.completions().toString());
    for (int i = 0; i < 10; i++) {
      get(client, "http://user-service/");
    }
    assertEquals(picker.picks.get(), picker.completions().size());
    assertTrue(picker.duplicates.get() == 0);
  }

  /** Records every pick and completion, counting double completions. */
  static final class FakeRecordingPicker implements Picker {
    final Picker delegate;
    final AtomicInteger picks = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();
    final List<String> completed = new CopyOnWriteArrayList<>();
    final Map<Server, String> labels;

    FakeRecordingPicker(Picker delegate) {
      this.delegate = delegate;
      this.labels = new java.util.concurrent.ConcurrentHashMap<>();
    }

    List<String> completions() {
      return List.copyOf(completed);
    }

    @Override
    public Selection pick(PickContext context) {
      Selection s = delegate.pick(context);
      picks.incrementAndGet();
      AtomicInteger done = new AtomicInteger();
      return new Selection() {
        @Override
        public Server server() {
          return s.server();
        }

        @Override
        public void complete(long latencyNanos, Outcome outcome) {
          if (done.getAndIncrement() > 0) {
            duplicates.incrementAndGet();
            return;
          }
          completed.add((outcome == Outcome.SERVER_ERROR ? "503" : "200") + ":" + outcome);
          s.complete(latencyNanos, outcome);
        }
      };
    }
  }

  @Test
  void worksWithoutAnyDeadlineOnAClockWithNegativeReadings() throws IOException {
    backends = Backends.start(1);
    dev.lbkit.api.Ticker negative = () -> Long.MIN_VALUE / 2;
    OkHttpClient wrapped = LbOkHttp.wrap(base(), LbConfig.builder().ticker(negative)
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    OkHttpClient noDeadline = wrapped.newBuilder().callTimeout(Duration.ZERO).build();
    assertEquals("200 0", get(noDeadline, "http://user-service/"));
  }

  @Test
  void postOnAPooledConnectionIsNotSilentlyResentByOkHttp() throws IOException {
    backends = Backends.start(1);
    backends.dispatcher(0).paths.put("/orders", new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    Request post = new Request.Builder().url("http://user-service/orders")
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
    // Control: plain OkHttp resends the POST when a reused connection fails after sending it.
    OkHttpClient plain = new OkHttpClient();
    String direct = "http://127.0.0.1:" + backends.servers.get(0).getPort();
    plain.newCall(new Request.Builder().url(direct + "/warm").build()).execute().close();
    assertThrows(IOException.class, () -> plain.newCall(post.newBuilder().url(direct + "/orders").build()).execute().close());
    int plainPosts = backends.dispatcher(0).count("POST");
    assertTrue(plainPosts > 1, "control: plain OkHttp sent the POST " + plainPosts + " times");
    // The wrapped client sends it once.
    OkHttpClient client = LbOkHttp.wrap(plain, LbConfig.builder()
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    client.newCall(new Request.Builder().url("http://user-service/warm").build()).execute().close();
    assertThrows(IOException.class, () -> client.newCall(post).execute().close());
    assertEquals(plainPosts + 1, backends.dispatcher(0).count("POST"));
  }

  @Test
  void eachServerGetsItsOwnPooledConnectionThatIsReused() throws IOException {
    backends = Backends.start(2);
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder()
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    for (int i = 0; i < 10; i++) {
      get(client, "http://user-service/");
    }
    // Same logical host and port-only rewrite, yet two connections: Address differs by its Dns.
    assertEquals(2, client.connectionPool().connectionCount());
    for (int i = 0; i < 2; i++) {
      int maxExchange = 0;
      for (var r : backends.dispatcher(i).recorded) {
        maxExchange = Math.max(maxExchange, r.getExchangeIndex());
      }
      assertEquals(4, maxExchange, "backend " + i + " served five exchanges on one connection");
    }
  }

  @Test
  void customClassifierDecidesWhatCountsAsFailure() throws IOException {
    backends = Backends.start(1);
    backends.dispatcher(0).always = new MockResponse.Builder().code(429).build();
    OutcomeClassifier throttlingIsFailure = new OutcomeClassifier() {
      @Override
      public Outcome classify(Response response) {
        return response.code() == 429 ? Outcome.SERVER_ERROR : OutcomeClassifier.DEFAULT.classify(response);
      }

      @Override
      public Outcome classify(IOException failure) {
        return OutcomeClassifier.DEFAULT.classify(failure);
      }
    };
    OkHttpClient client = LbOkHttp.wrap(base(), LbConfig.builder().classifier(throttlingIsFailure)
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    assertEquals("429 ", get(client, "http://user-service/"));
    ClusterCounters c = LbOkHttp.counters(client).get("user-service");
    assertEquals(1, c.failures());
    assertEquals(0, c.retries(), "429 is not a retryable status");
  }

  @Test
  void balancedAttemptsBypassTheBaseClientsProxy() throws IOException {
    backends = Backends.start(1);
    Server deadProxy = Backends.refusing();
    OkHttpClient proxied = base().newBuilder().proxy(new java.net.Proxy(java.net.Proxy.Type.HTTP,
        new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.1"), deadProxy.port()))).build();
    OkHttpClient client = LbOkHttp.wrap(proxied, LbConfig.builder()
        .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
    assertEquals("200 0", get(client, "http://user-service/"));
    // Pass-through calls still use the proxy, which refuses.
    assertThrows(java.net.ConnectException.class, () -> get(client, "http://outside:" + backends.servers.get(0).getPort() + "/"));
  }
}
