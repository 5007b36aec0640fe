package dev.lbkit.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbEventListener;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.observation.transport.SenderContext;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One observation per call and one per attempt, with their key values, through real calls. */
class ObservationTest {
  private final TestObservationRegistry observations = TestObservationRegistry.create();
  private final FakePropagatingHandler propagation = new FakePropagatingHandler();
  private FakeBackends backends;
  private LoadBalancer lb;

  /**
   * What a tracing bridge does on a sender's start: writes its context into the carrier through
   * the context's setter. Here the "trace context" names the attempt, so each request shows it.
   */
  static final class FakePropagatingHandler implements ObservationHandler<SenderContext<Object>> {
    final List<SenderContext<Object>> started = new CopyOnWriteArrayList<>();

    @Override
    public void onStart(SenderContext<Object> context) {
      started.add(context);
      String attempt = context.getLowCardinalityKeyValue("attempt").getValue();
      context.getSetter().set(context.getCarrier(), "traceparent", "trace-of-attempt-" + attempt);
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
      return context instanceof SenderContext;
    }
  }

  @AfterEach
  void close() throws IOException {
    if (lb != null) {
      lb.close();
    }
    if (backends != null) {
      backends.close();
    }
  }

  private OkHttpClient client(LbEventListener listener) {
    return LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .listener(listener)
        .retryPolicy(RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1).maxAttempts(2).build())
        .cluster("user-service", lb)
        .build());
  }

  @Test
  void aRetriedCallHasOneObservationPerAttemptUnderTheCallsObservation() throws Exception {
    backends = FakeBackends.start(2, "127.0.0.1");
    // Each backend answers its first request with a 503: the first call is retried once and fails.
    for (FakeBackends.FakeDispatcher d : backends.dispatchers) {
      d.script.add(new MockResponse.Builder().code(503).build());
    }
    lb = LoadBalancer.builder("user-service").algorithm(Algorithms.roundRobin()).servers(backends.all()).build();
    observations.observationConfig().observationHandler(propagation);
    OkHttpClient client = client(LbMetrics.builder(new SimpleMeterRegistry()).observationRegistry(observations)
        .build().listener());
    try (Response r = client.newCall(new Request.Builder().url("http://user-service/orders/42").build()).execute()) {
      assertEquals(503, r.code());
    }

    TestObservationRegistryAssert.assertThat(observations)
        .hasNumberOfObservationsWithNameEqualTo(CallObservations.CALL, 1)
        .hasNumberOfObservationsWithNameEqualTo(CallObservations.ATTEMPT, 2)
        .forAllObservationsWithNameEqualTo(CallObservations.CALL, call -> call
            .hasContextualNameEqualTo("GET user-service")
            .hasLowCardinalityKeyValue("cluster", "user-service")
            .hasLowCardinalityKeyValue("server.address", "user-service")
            .hasLowCardinalityKeyValue("http.request.method", "GET")
            .hasLowCardinalityKeyValue("http.response.status_code", "503")
            .hasLowCardinalityKeyValue("error.type", "503"))
        .forAllObservationsWithNameEqualTo(CallObservations.ATTEMPT, attempt -> attempt
            .hasParentObservation()
            .hasLowCardinalityKeyValue("cluster", "user-service")
            .hasLowCardinalityKeyValue("algorithm", "round-robin")
            .hasLowCardinalityKeyValue("outcome", "server_error")
            .hasLowCardinalityKeyValue("http.response.status_code", "503")
            .hasHighCardinalityKeyValue("network.peer.address", "127.0.0.1")
            .doesNotHaveLowCardinalityKeyValueWithKey("url.path"));

    // The two attempts, in order: the retry says why, and what it avoided.
    List<SenderContext<Object>> attempts = propagation.started;
    assertEquals(2, attempts.size());
    SenderContext<Object> first = attempts.get(0);
    SenderContext<Object> second = attempts.get(1);
    String firstServer = first.getLowCardinalityKeyValue("server").getValue();
    String secondServer = second.getLowCardinalityKeyValue("server").getValue();
    assertEquals("1", first.getLowCardinalityKeyValue("attempt").getValue());
    assertEquals("none", first.getLowCardinalityKeyValue("retry.reason").getValue());
    assertEquals("picked " + firstServer + " by round-robin", first.getHighCardinalityKeyValue("lbkit.decision").getValue());
    assertEquals("2", second.getLowCardinalityKeyValue("attempt").getValue());
    assertEquals("status_503", second.getLowCardinalityKeyValue("retry.reason").getValue());
    assertEquals("picked " + secondServer + " by round-robin; avoided " + firstServer + " (tried)",
        second.getHighCardinalityKeyValue("lbkit.decision").getValue());
    assertTrue(!firstServer.equals(secondServer));
    assertEquals(Integer.toString(backends.servers.get(backends.server(0).id().equals(firstServer) ? 0 : 1).getPort()),
        first.getHighCardinalityKeyValue("network.peer.port").getValue());
    Observation.ContextView callContext = first.getParentObservation().getContextView();
    assertEquals(CallObservations.CALL, callContext.getName());
    assertSame(callContext, second.getParentObservation().getContextView(), "both attempts under the one call");

    // Each attempt's request carried the trace context the handler propagated.
    List<String> propagated = new ArrayList<>();
    for (FakeBackends.FakeDispatcher d : backends.dispatchers) {
      RecordedRequest req = d.recorded.poll();
      assertNotNull(req);
      propagated.add(req.getHeaders().get("traceparent"));
    }
    propagated.sort(null);
    assertEquals(List.of("trace-of-attempt-1", "trace-of-attempt-2"), propagated);
  }

  @Test
  void aRefusedCallEndsItsObservationWithTheError() throws IOException {
    backends = FakeBackends.start(1, "127.0.0.1");
    lb = LoadBalancer.builder("user-service").servers(backends.all()).build();
    lb.drain(backends.server(0));
    OkHttpClient client = client(LbMetrics.observations(observations));
    try {
      client.newCall(new Request.Builder().url("http://user-service/").build()).execute().close();
      throw new AssertionError("expected a refusal");
    } catch (IOException expected) {
      // the NO_SERVER refusal
    }
    TestObservationRegistryAssert.assertThat(observations)
        .hasNumberOfObservationsWithNameEqualTo(CallObservations.ATTEMPT, 0)
        .hasSingleObservationThat()
        .hasNameEqualTo(CallObservations.CALL)
        .hasBeenStopped()
        .hasError()
        .hasLowCardinalityKeyValue("error.type", "lbkit.no_server")
        .hasLowCardinalityKeyValue("http.response.status_code", "none");
  }

  /**
   * The key values are made when first read or changed (here: by a filter at the end, then by
   * the assertions), and are then exactly those a context that was read at its start has:
   * nothing is lost by making them late, and a filter's removal and replacement stand.
   */
  @Test
  void keyValuesReadOnlyAfterTheEndAreCompleteAndFiltersChangeThem() throws IOException {
    backends = FakeBackends.start(1, "127.0.0.1");
    lb = LoadBalancer.builder("user-service").servers(backends.all()).build();
    List<String> seenAtStart = new CopyOnWriteArrayList<>();
    observations.observationConfig()
        .observationHandler(new ObservationHandler<>() {
          @Override
          public void onStart(Observation.Context context) {
            seenAtStart.add(context.getName() + " " + context.getClass().getSimpleName());
          }

          @Override
          public boolean supportsContext(Observation.Context context) {
            return true;
          }
        })
        .observationFilter(context -> context.getName().equals(CallObservations.ATTEMPT)
            ? context.removeHighCardinalityKeyValue("lbkit.decision")
                .addLowCardinalityKeyValue(io.micrometer.common.KeyValue.of("cluster", "renamed"))
            : context);
    OkHttpClient client = client(LbMetrics.observations(observations));
    try (Response r = client.newCall(new Request.Builder().url("http://user-service/a").build()).execute()) {
      assertEquals(200, r.code());
    }

    assertEquals(List.of(CallObservations.CALL + " Context", CallObservations.ATTEMPT + " AttemptContext"),
        seenAtStart, "the contexts started: a plain one for the call, the lazy one for the attempt");
    String server = backends.server(0).id();
    TestObservationRegistryAssert.assertThat(observations)
        .forAllObservationsWithNameEqualTo(CallObservations.ATTEMPT, attempt -> attempt
            .hasContextualNameEqualTo("GET " + server)
            .hasLowCardinalityKeyValue("cluster", "renamed")
            .hasLowCardinalityKeyValue("server", server)
            .hasLowCardinalityKeyValue("algorithm", "round-robin")
            .hasLowCardinalityKeyValue("attempt", "1")
            .hasLowCardinalityKeyValue("retry.reason", "none")
            .hasLowCardinalityKeyValue("http.request.method", "GET")
            .hasLowCardinalityKeyValue("outcome", "success")
            .hasLowCardinalityKeyValue("http.response.status_code", "200")
            .hasHighCardinalityKeyValue("network.peer.address", "127.0.0.1")
            .doesNotHaveHighCardinalityKeyValueWithKey("lbkit.decision"))
        .forAllObservationsWithNameEqualTo(CallObservations.CALL, call -> call
            .hasContextualNameEqualTo("GET user-service")
            .hasLowCardinalityKeyValue("cluster", "user-service")
            .hasLowCardinalityKeyValue("server.address", "user-service")
            .hasLowCardinalityKeyValue("http.request.method", "GET")
            .hasLowCardinalityKeyValue("http.response.status_code", "200")
            .hasLowCardinalityKeyValue("error.type", "none")
            .hasHighCardinalityKeyValueWithKey("lbkit.route"));
  }

  /**
   * A call made on the calling thread while another call's attempt runs (here from a network
   * interceptor, as an authenticator or a token fetch would) gets its own call and attempt
   * observations, and both calls' observations end with their own outcome.
   */
  @Test
  void aCallMadeInsideAnotherCallsAttemptIsObservedOnItsOwn() throws IOException {
    backends = FakeBackends.start(1, "127.0.0.1");
    lb = LoadBalancer.builder("user-service").servers(backends.all()).build();
    List<String> stopped = new CopyOnWriteArrayList<>();
    observations.observationConfig().observationHandler(propagation).observationHandler(new ObservationHandler<>() {
      @Override
      public void onStop(Observation.Context context) {
        stopped.add(context.getName());
      }

      @Override
      public boolean supportsContext(Observation.Context context) {
        return true;
      }
    });
    OkHttpClient[] wrapped = new OkHttpClient[1];
    OkHttpClient base = new OkHttpClient.Builder().addNetworkInterceptor(chain -> {
      if (chain.request().url().encodedPath().equals("/outer")) {
        try (Response inner = wrapped[0].newCall(new Request.Builder().url("http://user-service/inner").build())
            .execute()) {
          assertEquals(200, inner.code());
        }
      }
      return chain.proceed(chain.request());
    }).build();
    wrapped[0] = LbOkHttp.wrap(base, LbConfig.builder()
        .listener(LbMetrics.observations(observations))
        .cluster("user-service", lb)
        .build());
    try (Response r = wrapped[0].newCall(new Request.Builder().url("http://user-service/outer").post(
        okhttp3.RequestBody.create(new byte[0])).build()).execute()) {
      assertEquals(200, r.code());
    }

    TestObservationRegistryAssert.assertThat(observations)
        .hasNumberOfObservationsWithNameEqualTo(CallObservations.CALL, 2)
        .hasNumberOfObservationsWithNameEqualTo(CallObservations.ATTEMPT, 2)
        .forAllObservationsWithNameEqualTo(CallObservations.CALL, call -> call
            .hasLowCardinalityKeyValue("http.response.status_code", "200"))
        .forAllObservationsWithNameEqualTo(CallObservations.ATTEMPT, attempt -> attempt
            .hasParentObservation()
            .hasLowCardinalityKeyValue("outcome", "success"));
    // Each attempt is the child of its own call: the POST's attempt of the POST's call.
    List<String> parentsMethods = new ArrayList<>();
    for (SenderContext<Object> attempt : propagation.started) {
      parentsMethods.add(attempt.getLowCardinalityKeyValue("http.request.method").getValue() + " under "
          + attempt.getParentObservation().getContextView().getLowCardinalityKeyValue("http.request.method").getValue());
    }
    assertEquals(List.of("POST under POST", "GET under GET"), parentsMethods);
    // Inner attempt, inner call, outer attempt, outer call.
    assertEquals(List.of(CallObservations.ATTEMPT, CallObservations.CALL, CallObservations.ATTEMPT, CallObservations.CALL),
        stopped);
  }
}
