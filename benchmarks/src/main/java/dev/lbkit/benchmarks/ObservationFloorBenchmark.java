package dev.lbkit.benchmarks;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.RequestReplySenderContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What Micrometer itself costs per call for what issue 15 asks of lb-micrometer, with no HTTP
 * and no lbkit code: the floor under the "metrics + tracing on − off" row of {@link
 * InterceptorPaired}, whose target is 1 µs.
 *
 * <ul>
 *   <li>{@code twoObservations}: a call observation and a child attempt observation, started and
 *       stopped, no key values, into a registry with one handler that accepts every context (as
 *       the paired harness).
 *   <li>{@code twoObservationsSeventeenKeyValues}: the same with the 9 + 8 key values
 *       lb-micrometer sets (constant strings).
 *   <li>{@code callObservationsReplica}: lb-micrometer's {@code CallObservations} path as it was
 *       before its key values were made lazily, written out with Micrometer calls only:
 *       contextual names, a sender context for trace propagation, the parent link, the key values
 *       added at once, and the two maps of observations in flight. lb-micrometer now makes the key
 *       values only when a handler reads them and keeps no maps; {@code twoObservations} is the
 *       floor of that path.
 *   <li>{@code twoTimerRecords}: the meters' part, two cached timers recorded.
 * </ul>
 *
 * <p><b>Run:</b> {@code benchmarks/run.sh floor}. A tight loop keeps everything in cache and
 * lets the JIT see one shape, so these are lower bounds of the cost inside a real call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ObservationFloorBenchmark {
  private static final String[] KEYS = {"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"};

  private ObservationRegistry registry;
  private Timer first;
  private Timer second;
  private final Map<Object, Observation> calls = new ConcurrentHashMap<>();
  private final Map<Object, Observation> attempts = new ConcurrentHashMap<>();
  private int port;

  /** A header setter, as lb-okhttp hands one to each attempt. */
  interface HeaderSetter {
    void set(String name, String value);
  }

  private static final HeaderSetter IGNORED = (name, value) -> { };

  @Setup
  public void setUp() {
    registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new ObservationHandler<>() {
      @Override
      public boolean supportsContext(Observation.Context context) {
        return true;
      }
    });
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    first = Timer.builder("first").tag("k", "v").register(meters);
    second = Timer.builder("second").tag("k", "v").register(meters);
  }

  @Benchmark
  public Observation twoObservations() {
    Observation call = Observation.createNotStarted("call", registry).start();
    Observation attempt = Observation.createNotStarted("attempt", registry).parentObservation(call).start();
    attempt.stop();
    call.stop();
    return call;
  }

  @Benchmark
  public Observation twoObservationsSeventeenKeyValues() {
    Observation call = Observation.createNotStarted("call", registry);
    for (int k = 0; k < 9; k++) {
      call.lowCardinalityKeyValue(KEYS[k], "v");
    }
    call.start();
    Observation attempt = Observation.createNotStarted("attempt", registry).parentObservation(call);
    for (int k = 0; k < 8; k++) {
      attempt.lowCardinalityKeyValue(KEYS[k], "w");
    }
    attempt.start();
    attempt.stop();
    call.stop();
    return call;
  }

  @Benchmark
  public Observation callObservationsReplica() {
    Object callKey = new Object();
    Object attemptKey = new Object();
    String method = "GET";
    String host = "users";
    String server = "127.0.0.1:8080";
    Observation call = Observation.createNotStarted("lbkit.client.call", registry)
        .contextualName(method + " " + host)
        .lowCardinalityKeyValue("http.request.method", method)
        .start();
    calls.put(callKey, call);
    calls.get(callKey).lowCardinalityKeyValue("cluster", "users").lowCardinalityKeyValue("server.address", host)
        .highCardinalityKeyValue("lbkit.route", "host");
    RequestReplySenderContext<HeaderSetter, Integer> context =
        new RequestReplySenderContext<>((carrier, key, value) -> carrier.set(key, value));
    context.setCarrier(IGNORED);
    context.setRemoteServiceName("users");
    context.setRemoteServiceAddress(server);
    Observation attempt = Observation.createNotStarted("lbkit.client.attempt", () -> context, registry)
        .contextualName(method + " " + server)
        .parentObservation(calls.get(callKey))
        .lowCardinalityKeyValue("cluster", "users")
        .lowCardinalityKeyValue("server", server)
        .lowCardinalityKeyValue("algorithm", "round-robin")
        .lowCardinalityKeyValue("attempt", "1")
        .lowCardinalityKeyValue("retry.reason", "none")
        .lowCardinalityKeyValue("http.request.method", method)
        .highCardinalityKeyValue("network.peer.address", "127.0.0.1")
        .highCardinalityKeyValue("network.peer.port", Integer.toString(8080 + (port++ & 1)))
        .highCardinalityKeyValue("lbkit.decision", "picked " + server + " by round-robin");
    attempt.start();
    attempts.put(attemptKey, attempt);
    Observation ended = attempts.remove(attemptKey);
    ended.lowCardinalityKeyValue("outcome", "success").lowCardinalityKeyValue("http.response.status_code", "200");
    context.setResponse(200);
    ended.stop();
    Observation callEnded = calls.remove(callKey);
    callEnded.lowCardinalityKeyValue("http.response.status_code", "200").lowCardinalityKeyValue("error.type", "none");
    callEnded.stop();
    return callEnded;
  }

  @Benchmark
  public Timer twoTimerRecords() {
    first.record(1_000, TimeUnit.NANOSECONDS);
    second.record(1_000, TimeUnit.NANOSECONDS);
    return second;
  }
}
