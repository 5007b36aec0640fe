package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.testing.FakeEndpoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Properties every consistent-hashing algorithm shares. */
class ConsistentHashingTest {

  private static final int KEYS = 2_000;

  static List<Algorithm> all() {
    return List.of(Algorithms.ringHash().build(), Algorithms.maglev().build(),
        Algorithms.rendezvous(), Algorithms.boundedLoadHash().build());
  }

  private static List<FakeEndpoint> fakes(int n, long seed, boolean weighted) {
    Random r = new Random(seed);
    int[] w = new int[n];
    for (int i = 0; i < n; i++) {
      w[i] = weighted ? 1 + r.nextInt(1000) : 1;
    }
    return FakeEndpoint.weighted(w);
  }

  private static String[] map(Algorithm a, List<? extends Endpoint> eps, long seed) {
    Picker picker = a.newPicker(List.copyOf(eps), new FakeAlgorithmContext(seed, eps.size()));
    String[] out = new String[KEYS];
    for (int k = 0; k < KEYS; k++) {
      // Complete at once so that bounded load stays at its ring mapping.
      var s = picker.pick(PickContext.ofKey("user-" + k));
      out[k] = s.server().id();
      s.complete(1, dev.lbkit.api.Outcome.SUCCESS);
    }
    return out;
  }

  @Property(tries = 20, seed = "41")
  void sameKeyMapsToSameServerWhatever(
      @ForAll @IntRange(min = 1, max = 64) int n, @ForAll long seed) {
    List<FakeEndpoint> eps = fakes(n, seed, true);
    for (Algorithm a : all()) {
      // Different random sources and a shuffled list: only the key and the set matter.
      List<FakeEndpoint> shuffled = new ArrayList<>(eps);
      Collections.shuffle(shuffled, new Random(seed));
      assertEquals(List.of(map(a, eps, 1)), List.of(map(a, shuffled, 2)), a.name());
    }
  }

  @Property(tries = 20, seed = "42")
  void removingAServerMovesOnlyItsKeysAndAddingItBackRestores(
      @ForAll @IntRange(min = 2, max = 64) int n, @ForAll long seed) {
    // Rendezvous is exact whatever the weights; the ring when point counts do not change.
    for (Algorithm a : List.of(Algorithms.rendezvous(), Algorithms.ringHash().build())) {
      boolean weighted = a.name().equals("rendezvous");
      List<FakeEndpoint> eps = fakes(n, seed, weighted);
      String[] before = map(a, eps, 1);
      int removed = new Random(seed).nextInt(n);
      String removedId = eps.get(removed).server().id();
      List<FakeEndpoint> less = new ArrayList<>(eps);
      less.remove(removed);
      String[] after = map(a, less, 1);
      for (int k = 0; k < KEYS; k++) {
        if (before[k].equals(removedId)) {
          assertNotEquals(removedId, after[k]);
        } else {
          assertEquals(before[k], after[k], a.name() + " moved key " + k + " off a remaining server");
        }
      }
      assertEquals(List.of(before), List.of(map(a, eps, 1)), a.name() + " did not restore");
    }
  }

  @Property(tries = 20, seed = "43")
  void avoidingAServerSendsItsKeysWhereTheyGoWithoutIt(
      @ForAll @IntRange(min = 2, max = 64) int n, @ForAll long seed) {
    for (Algorithm a : List.of(Algorithms.rendezvous(), Algorithms.ringHash().build())) {
      List<FakeEndpoint> eps = fakes(n, seed, a.name().equals("rendezvous"));
      int removed = new Random(seed).nextInt(n);
      List<FakeEndpoint> less = new ArrayList<>(eps);
      less.remove(removed);
      String[] without = map(a, less, 1);
      Picker picker = a.newPicker(List.copyOf(eps), new FakeAlgorithmContext(1, n));
      for (int k = 0; k < KEYS; k++) {
        PickContext ctx = PickContext.builder().hashKey("user-" + k).avoid(eps.get(removed).server()).build();
        assertEquals(without[k], picker.pick(ctx).server().id(), a.name());
      }
    }
  }

  @Property(tries = 10, seed = "44")
  void keylessPicksSpreadInProportionToWeight(
      @ForAll @IntRange(min = 1, max = 16) int n, @ForAll long seed) {
    // Rendezvous picks with probability exactly w/W; keyless picks use a random hash.
    List<FakeEndpoint> eps = fakes(n, seed, true);
    Picker picker = Algorithms.rendezvous().newPicker(List.copyOf(eps), new FakeAlgorithmContext(seed, n));
    long[] counts = new long[n];
    for (int i = 0; i < 100_000; i++) {
      counts[eps.indexOf(((FakeEndpoint.FakeSelection) picker.pick()).endpoint())]++;
    }
    Stats.assertFits(counts, Stats.proportional(eps.stream().mapToDouble(f -> f.effectiveWeight()).toArray()));
  }

  @Property(tries = 6, seed = "45")
  void rendezvousKeySharesFollowWeights(
      @ForAll @IntRange(min = 1, max = 16) int n, @ForAll long seed) {
    List<FakeEndpoint> eps = fakes(n, seed, true);
    Picker picker = Algorithms.rendezvous().newPicker(List.copyOf(eps), new FakeAlgorithmContext(seed, n));
    long[] counts = new long[n];
    for (int i = 0; i < 100_000; i++) {
      FakeEndpoint e = ((FakeEndpoint.FakeSelection) picker.pick(PickContext.ofKey("k" + i + "/" + seed))).endpoint();
      counts[eps.indexOf(e)]++;
    }
    Stats.assertFits(counts, Stats.proportional(eps.stream().mapToDouble(f -> f.effectiveWeight()).toArray()));
  }

  @Property(tries = 20, seed = "46")
  void everyHashingAlgorithmFallsBackWhenAllButOneAreAvoided(
      @ForAll @IntRange(min = 1, max = 64) int n, @ForAll long seed) {
    List<FakeEndpoint> eps = fakes(n, seed, true);
    int keep = new Random(seed).nextInt(n);
    PickContext.Builder b = PickContext.builder().hashKey("k");
    for (int i = 0; i < n; i++) {
      if (i != keep) {
        b.avoid(eps.get(i).server());
      }
    }
    PickContext ctx = b.build();
    for (Algorithm a : all()) {
      Picker picker = a.newPicker(List.copyOf(eps), new FakeAlgorithmContext(seed, n));
      assertEquals(eps.get(keep).server(), picker.pick(ctx).server(), a.name());
    }
  }
}
