package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.api.PickContext;
import dev.lbkit.testing.FakeEndpoint;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link ScoredPicker}'s one-pass form for two choices picks exactly what the general form for d
 * choices picks, for every score, from the same random stream: same candidates, same winner, same
 * tie rule, with or without avoided servers, with sampled and unsampled servers mixed.
 */
class TwoChoicesEquivalenceProperties {

  @Property(tries = 500, seed = "61")
  void oneTwoChoicePassPicksWhatTheGeneralFormPicks(
      @ForAll @IntRange(min = 3, max = 40) int n,
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 3) int scoreIndex) {
    Random random = new Random(seed);
    List<FakeEndpoint> fakes = FakeEndpoint.of(n);
    for (FakeEndpoint f : fakes) {
      f.inFlight(random.nextInt(4));
      f.effectiveWeight(1 + random.nextInt(3));
      if (random.nextInt(3) > 0) {
        // Few distinct values, so that ties happen.
        long latency = (1 + random.nextInt(4)) * 1_000_000L;
        f.latency(latency, latency * (1 + random.nextInt(2)));
      }
    }
    PickContext.Builder ctx = PickContext.builder();
    int avoided = random.nextInt(n); // up to all but one
    for (int i = 0; i < avoided; i++) {
      ctx.avoid(fakes.get(random.nextInt(n)).server());
    }
    PickContext context = avoided == 0 ? PickContext.EMPTY : ctx.build();
    ScoredPicker.Score score = ScoredPicker.Score.values()[scoreIndex];
    ScoredPicker picker = new ScoredPicker(List.copyOf(fakes), new FakeAlgorithmContext(1, n), score, 2);
    for (int pick = 0; pick < 20; pick++) {
      long drawSeed = random.nextLong();
      assertEquals(picker.bestOfDraws(context, drawSeed, 0), picker.bestOfTwo(context, drawSeed, 0),
          "pick " + pick + " with score " + score);
    }
  }
}
