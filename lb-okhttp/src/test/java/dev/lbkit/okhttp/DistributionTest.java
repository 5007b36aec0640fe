package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How each algorithm family of lb-algorithms spreads real HTTP calls over three MockWebServer
 * backends, through the wrapped client: exact where the algorithm is deterministic, chi-square at
 * significance 1e-9 with a fixed seed where it is random, and load-based where it reads in-flight
 * counts or latencies.
 */
class DistributionTest {
  /** Chi-square critical value for 2 degrees of freedom at significance 1e-9. */
  private static final double CHI2_2DF_1E9 = 41.4;

  private Backends backends;
  private final List<Response> held = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    backends = Backends.start(3);
  }

  @AfterEach
  void close() throws IOException {
    for (Response r : held) {
      r.close();
    }
    backends.close();
  }

  private static LoadBalancer balancer(Algorithm algorithm, List<Server> servers) {
    return LoadBalancer.builder("user-service").algorithm(algorithm).servers(servers)
        .random(RandomSource.seeded(20261127)).build();
  }

  private static OkHttpClient wrap(LoadBalancer lb) {
    return LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().cluster("user-service", lb).build());
  }

  /** One call; returns the index of the backend that answered. */
  private static int call(OkHttpClient client, Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      assertEquals(200, r.code());
      return Integer.parseInt(r.body().string());
    }
  }

  private static int call(OkHttpClient client) throws IOException {
    return call(client, new Request.Builder().url("http://user-service/").build());
  }

  /** A call whose streamed body stays open (so its selection stays in flight); returns the backend. */
  private int hold(OkHttpClient client) throws IOException {
    Response r = client.newCall(new Request.Builder().url("http://user-service/").build()).execute();
    held.add(r);
    return Integer.parseInt(r.header("X-Backend"));
  }

  private int[] inFlight(LoadBalancer lb) {
    int[] counts = new int[3];
    for (ServerView v : lb.servers()) {
      for (int i = 0; i < 3; i++) {
        if (v.server().id().equals(backends.server(i).id())) {
          counts[i] = v.inFlight();
        }
      }
    }
    return counts;
  }

  private long[] served() {
    long[] counts = new long[3];
    for (int i = 0; i < 3; i++) {
      counts[i] = backends.dispatcher(i).count.get();
    }
    return counts;
  }

  @Test
  void roundRobinGivesEachBackendExactlyAThirdInARepeatingOrder() throws IOException {
    OkHttpClient client = wrap(balancer(Algorithms.roundRobin(), backends.all()));
    int[] sequence = new int[30];
    for (int i = 0; i < sequence.length; i++) {
      sequence[i] = call(client);
    }
    assertEquals("[10, 10, 10]", Arrays.toString(served()));
    for (int i = 3; i < sequence.length; i++) {
      assertEquals(sequence[i - 3], sequence[i], "call " + i + " of " + Arrays.toString(sequence));
    }
  }

  @Test
  void smoothWeightedRoundRobinIsExactInEveryCycleOfSeven() throws IOException {
    List<Server> servers = List.of(backends.server(0).withWeight(5), backends.server(1).withWeight(1),
        backends.server(2).withWeight(1));
    OkHttpClient client = wrap(balancer(Algorithms.smoothWeightedRoundRobin(), servers));
    int[] sequence = new int[28];
    for (int i = 0; i < sequence.length; i++) {
      sequence[i] = call(client);
    }
    // Every window of one cycle (5 + 1 + 1 picks), wherever it starts, holds exactly 5, 1, 1 ...
    for (int start = 0; start + 7 <= sequence.length; start++) {
      int[] window = new int[3];
      for (int i = start; i < start + 7; i++) {
        window[sequence[i]]++;
      }
      assertEquals("[5, 1, 1]", Arrays.toString(window), "window at " + start + " of " + Arrays.toString(sequence));
    }
    // ... in nginx's interleaved order a a b a c a a, from wherever the snapshot's rotation starts.
    String cycle = "0010200".repeat(2);
    StringBuilder first = new StringBuilder();
    for (int i = 0; i < 7; i++) {
      first.append(sequence[i]);
    }
    assertTrue(cycle.contains(first), first + " is a rotation of 0010200");
  }

  @Test
  void weightedRandomFollowsTheWeightsWithinChiSquare() throws IOException {
    List<Server> servers = List.of(backends.server(0).withWeight(1), backends.server(1).withWeight(2),
        backends.server(2).withWeight(3));
    OkHttpClient client = wrap(balancer(Algorithms.weightedRandom(), servers));
    // 240 calls: enough power that a balancer ignoring weights (80, 80, 80) would score 53 and fail.
    for (int i = 0; i < 240; i++) {
      call(client);
    }
    long[] observed = served();
    assertTrue(Backends.chiSquare(observed, new double[] {1 / 6.0, 2 / 6.0, 3 / 6.0}) < CHI2_2DF_1E9,
        Arrays.toString(observed));
  }

  @Test
  void leastConnectionsSendsNewCallsToTheBackendWithFewestOpenBodies() throws IOException {
    LoadBalancer lb = balancer(Algorithms.leastConnections(), backends.all());
    OkHttpClient client = wrap(lb);
    for (int i = 1; i <= 6; i++) {
      hold(client);
      int[] inFlight = inFlight(lb);
      int max = Arrays.stream(inFlight).max().getAsInt();
      int min = Arrays.stream(inFlight).min().getAsInt();
      assertTrue(max - min <= 1 && max == (i + 2) / 3, "after " + i + " open bodies: " + Arrays.toString(inFlight));
    }
    assertEquals("[2, 2, 2]", Arrays.toString(inFlight(lb)));
    // Backend 1 finishes its two streams: it alone is least loaded and takes the next two calls.
    for (Response r : new ArrayList<>(held)) {
      if (r.header("X-Backend").equals("1")) {
        r.close();
        held.remove(r);
      }
    }
    assertEquals("[2, 0, 2]", Arrays.toString(inFlight(lb)));
    assertEquals(1, hold(client));
    assertEquals(1, hold(client));
    assertEquals("[2, 2, 2]", Arrays.toString(inFlight(lb)));
    // A call whose body is read completes at once and leaves the counts as they were.
    call(client);
    assertEquals("[2, 2, 2]", Arrays.toString(inFlight(lb)));
  }

  /**
   * Power of two choices over three backends compares two of them per pick; a backend busier
   * than both others therefore never wins. Backend 0 is kept busy by open streams of another
   * client sharing the balancer (pinned to it through an avoid set).
   */
  @Test
  void powerOfTwoChoicesNeverSendsToTheBusiestBackend() throws IOException {
    LoadBalancer lb = balancer(Algorithms.powerOfTwoChoices().build(), backends.all());
    OkHttpClient client = wrap(lb);
    PickContext onlyBackend0 = PickContext.builder().avoid(backends.server(1)).avoid(backends.server(2)).build();
    OkHttpClient pinned = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .cluster("user-service", ctx -> lb.pick(onlyBackend0)).build());
    for (int i = 0; i < 3; i++) {
      assertEquals(0, hold(pinned));
    }
    assertEquals("[3, 0, 0]", Arrays.toString(inFlight(lb)));
    for (int i = 0; i < 30; i++) {
      assertTrue(call(client) != 0, "call " + i);
    }
    // Sequential calls leave backends 1 and 2 idle, so they share the work at random.
    assertTrue(backends.dispatcher(1).count.get() > 0 && backends.dispatcher(2).count.get() > 0,
        Arrays.toString(served()));
    // Streams closed, backend 0 is back in the running.
    for (Response r : held) {
      r.close();
    }
    held.clear();
    int before = backends.dispatcher(0).count.get();
    for (int i = 0; i < 30; i++) {
      call(client);
    }
    assertTrue(backends.dispatcher(0).count.get() > before, Arrays.toString(served()));
  }

  /**
   * Least response time on a virtual clock: backend 0 advances the clock by 100 ms while
   * answering, the others by 1 ms, so backend 0's measured latency is 100 times theirs without
   * any real waiting.
   */
  @Test
  void leastResponseTimeGivesASlowBackendASmallShare() throws IOException {
    FakeTicker ticker = new FakeTicker();
    for (int i = 0; i < 3; i++) {
      Duration d = i == 0 ? Duration.ofMillis(100) : Duration.ofMillis(1);
      backends.dispatcher(i).onDispatch = () -> ticker.advance(d);
    }
    LoadBalancer lb = LoadBalancer.builder("user-service").algorithm(Algorithms.leastResponseTime().build())
        .servers(backends.all()).ticker(ticker).random(RandomSource.seeded(5)).build();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().ticker(ticker).sleeper(ticker::advanceNanos)
        .cluster("user-service", lb).build());
    for (int i = 0; i < 40; i++) {
      call(client);
    }
    long[] observed = served();
    // Only while it has no sample may the slow backend win a pick; once measured, it never does
    // (sequential calls: nothing is in flight to offset its 100 times higher latency).
    assertTrue(observed[0] <= 2, Arrays.toString(observed));
    assertEquals(40, observed[0] + observed[1] + observed[2]);
    long before = observed[0];
    for (int i = 0; i < 20; i++) {
      call(client);
    }
    assertEquals(before, backends.dispatcher(0).count.get(), "the slow backend got no later call");
  }

  static Stream<Arguments> hashAlgorithms() {
    return Stream.of(
        Arguments.of("ring hash", Algorithms.ringHash().build()),
        Arguments.of("maglev", Algorithms.maglev().build()),
        Arguments.of("rendezvous", Algorithms.rendezvous()),
        Arguments.of("bounded-load hash", Algorithms.boundedLoadHash().build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hashAlgorithms")
  void consistentHashingKeepsEachKeyOnOneBackendAndSpreadsManyKeys(String name, Algorithm algorithm)
      throws IOException {
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .cluster("user-service", balancer(algorithm, backends.all()))
        .sticky("user-service", StickyPolicy.hashHeader("X-User")).build());
    Map<String, Integer> home = new HashMap<>();
    long[] keysPerBackend = new long[3];
    for (int k = 0; k < 60; k++) {
      String user = "user-" + k;
      int backend = call(client, new Request.Builder().url("http://user-service/").header("X-User", user).build());
      home.put(user, backend);
      keysPerBackend[backend]++;
    }
    for (int k = 0; k < 60; k += 3) {
      String user = "user-" + k;
      assertEquals(home.get(user),
          call(client, new Request.Builder().url("http://user-service/").header("X-User", user).build()), user);
    }
    assertTrue(Backends.chiSquare(keysPerBackend, new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}) < CHI2_2DF_1E9,
        name + ": " + Arrays.toString(keysPerBackend));
  }
}
