package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.Picker;
import java.util.List;

/**
 * Power of d choices: each pick draws {@code d} distinct servers uniformly at random (default 2)
 * and takes the one with the lowest {@code (in-flight + 1) / effective weight}.
 *
 * <p><b>Source.</b> Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing" (IEEE
 * TPDS 2001): two random choices cut the maximum load from Θ(log n / log log n) to Θ(log log n),
 * and, unlike a full least-loaded scan, concurrent pickers reading stale counts do not all herd
 * onto the same server. Envoy's least-request balancer uses the same rule. With equal weights the
 * score orders servers exactly by in-flight count.
 *
 * <p><b>Cost.</b> Pick: one random {@code long}, d index draws (replayed to reject duplicates,
 * O(d²) arithmetic; see {@link ScoredPicker}), d volatile reads, and the one {@link
 * dev.lbkit.api.Selection} allocated by {@link Endpoint#track()}. No other allocation. With d ≥ N
 * every server is a candidate. Rebuild: O(N) copy; weights are read live, so no rebuild on a
 * weight change.
 *
 * <p><b>Invariant.</b> The picked server scores no worse than every other candidate of its pick,
 * so it never has the strictly highest score among d ≥ 2 candidates, and at least d - 1 servers
 * score as high or higher.
 *
 * <p><b>Example.</b> In-flight {A: 5, B: 0, C: 2, D: 9}, equal weights. Draws C and D: C (score 3
 * against 10). Draws B and anything: B. D is never picked while it has the most in flight.
 */
final class PowerOfTwoChoices implements Algorithm {

  private final int choices;

  PowerOfTwoChoices(int choices) {
    this.choices = choices;
  }

  @Override
  public String name() {
    return choices == 2 ? "power-of-two-choices" : "power-of-" + choices + "-choices";
  }

  @Override
  public boolean rebuildsOnWeightChange() {
    return false;
  }

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    return new ScoredPicker(endpoints, context, ScoredPicker.Score.WEIGHTED_IN_FLIGHT, choices);
  }

  @Override
  public String toString() {
    return name();
  }
}
