package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeEndpoint;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every algorithm promises, checked for each of them. */
class AlgorithmContractTest {

  static List<Algorithm> all() {
    return List.of(
        Algorithms.roundRobin(),
        Algorithms.perThreadRoundRobin(),
        Algorithms.smoothWeightedRoundRobin(),
        Algorithms.random(),
        Algorithms.weightedRandom(),
        Algorithms.leastConnections(),
        Algorithms.weightedLeastConnections(),
        Algorithms.powerOfTwoChoices().build(),
        Algorithms.powerOfTwoChoices().choices(3).build(),
        Algorithms.leastResponseTime().build(),
        Algorithms.leastResponseTime().choices(2).build(),
        Algorithms.ringHash().build(),
        Algorithms.maglev().build(),
        Algorithms.boundedLoadHash().build(),
        Algorithms.rendezvous());
  }

  @Property(tries = 40, seed = "71")
  void picksOnlyGivenServersNotAvoided(
      @ForAll @IntRange(min = 1, max = 64) int n, @ForAll long seed) {
    Random r = new Random(seed);
    int[] w = new int[n];
    for (int i = 0; i < n; i++) {
      w[i] = 1 + r.nextInt(1000);
    }
    List<FakeEndpoint> eps = FakeEndpoint.weighted(w);
    PickContext.Builder b = PickContext.builder().hashKey("key-" + seed);
    for (FakeEndpoint e : eps.subList(0, r.nextInt(n))) {
      b.avoid(e.server());
    }
    PickContext ctx = b.build();
    Set<Server> allowed = eps.stream().map(FakeEndpoint::server).filter(s -> !ctx.avoids(s))
        .collect(Collectors.toSet());
    for (Algorithm a : all()) {
      Picker picker = a.newPicker(List.copyOf(eps), new FakeAlgorithmContext(seed, n));
      for (int i = 0; i < 20; i++) {
        PickContext c = i % 2 == 0 ? ctx : PickContext.EMPTY;
        Selection s = picker.pick(c);
        assertNotNull(s, a.name());
        assertTrue(c == PickContext.EMPTY || allowed.contains(s.server()), a.name() + " picked " + s.server());
        assertTrue(eps.stream().anyMatch(e -> e.server().equals(s.server())), a.name());
        s.complete(1, Outcome.SUCCESS);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("all")
  void throwsTheExplainedExceptionWhenEveryServerIsAvoided(Algorithm a) {
    List<FakeEndpoint> eps = FakeEndpoint.of(3);
    PickContext ctx = PickContext.builder().hashKey("k")
        .avoidAll(eps.stream().map(FakeEndpoint::server).collect(Collectors.toList())).build();
    Picker picker = a.newPicker(List.copyOf(eps), new FakeAlgorithmContext(1, 3));
    NoAvailableServerException e = assertThrows(NoAvailableServerException.class, () -> picker.pick(ctx));
    assertTrue(e.getMessage().startsWith("test: 0 of 3 servers pickable (3 already tried)"), e.getMessage());
  }

  @ParameterizedTest
  @MethodSource("all")
  void singleServerIsAlwaysPicked(Algorithm a) {
    List<FakeEndpoint> eps = FakeEndpoint.of(1);
    Picker picker = a.newPicker(List.copyOf(eps), new FakeAlgorithmContext(1, 1));
    for (int i = 0; i < 10; i++) {
      Selection s = picker.pick(i % 2 == 0 ? PickContext.EMPTY : PickContext.ofKey("k" + i));
      assertEquals(eps.get(0).server(), s.server());
      s.complete(1, Outcome.SUCCESS);
    }
  }

  @Test
  void onlyAlgorithmsThatReadWeightsLiveSkipRebuilds() {
    assertFalse(Algorithms.roundRobin().rebuildsOnWeightChange());
    assertFalse(Algorithms.random().rebuildsOnWeightChange());
    assertFalse(Algorithms.leastConnections().rebuildsOnWeightChange());
    assertFalse(Algorithms.weightedLeastConnections().rebuildsOnWeightChange());
    assertFalse(Algorithms.powerOfTwoChoices().build().rebuildsOnWeightChange());
    assertFalse(Algorithms.leastResponseTime().build().rebuildsOnWeightChange());
    assertTrue(Algorithms.smoothWeightedRoundRobin().rebuildsOnWeightChange());
    assertTrue(Algorithms.weightedRandom().rebuildsOnWeightChange());
    assertTrue(Algorithms.ringHash().build().rebuildsOnWeightChange());
    assertTrue(Algorithms.maglev().build().rebuildsOnWeightChange());
    assertTrue(Algorithms.boundedLoadHash().build().rebuildsOnWeightChange());
    assertTrue(Algorithms.rendezvous().rebuildsOnWeightChange());
  }

  @Test
  void namesAreDistinct() {
    assertEquals(List.of("round-robin", "per-thread-round-robin", "smooth-weighted-round-robin", "random", "weighted-random",
            "least-connections", "weighted-least-connections", "power-of-two-choices",
            "power-of-3-choices", "least-response-time-peak-ewma", "least-response-time-peak-ewma-p2c",
            "ring-hash", "maglev", "bounded-load-hash", "rendezvous"),
        all().stream().map(Algorithm::name).collect(Collectors.toList()));
  }

  @Test
  void buildersRejectBadValuesWithExactMessages() {
    assertEquals("choices must be in [2, 32], was 1", assertThrows(IllegalArgumentException.class,
        () -> Algorithms.powerOfTwoChoices().choices(1).build()).getMessage());
    assertEquals("choices must be in [2, 32], was 33", assertThrows(IllegalArgumentException.class,
        () -> Algorithms.leastResponseTime().choices(33).build()).getMessage());
    assertEquals("estimate must not be null, was null", assertThrows(IllegalArgumentException.class,
        () -> Algorithms.leastResponseTime().estimate(null)).getMessage());
    assertEquals("virtualNodesPerServer must be in [1, 8388608], was 0", assertThrows(IllegalArgumentException.class,
        () -> Algorithms.ringHash().virtualNodesPerServer(0).build()).getMessage());
    assertEquals("maxRingSize must be in [1, 8388608], was 8388609", assertThrows(IllegalArgumentException.class,
        () -> Algorithms.ringHash().maxRingSize(8_388_609).build()).getMessage());
    assertEquals("maxRingSize must be in [1, 8388608], was -1", assertThrows(IllegalArgumentException.class,
        () -> Algorithms.boundedLoadHash().maxRingSize(-1).build()).getMessage());
  }
}
