package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.Picker;
import java.util.List;

/**
 * Random: each pick takes a server uniformly at random, ignoring weights.
 *
 * <p><b>Source.</b> The textbook baseline (Mitzenmacher, "The Power of Two Choices in Randomized
 * Load Balancing", 2001, uses it as the one-choice case). Stateless, so it needs no coordination
 * between threads at all.
 *
 * <p><b>Cost.</b> Pick: one random {@code long} mapped to [0, N) by {@code (hi × N) >>> 32} (no
 * division; each server's chance is 1/N off by at most 2<sup>-32</sup>), O(1), one 24-byte
 * selection. Rebuild: O(N) copy.
 * With an avoid set: a random start and a linear probe, O(N) at worst.
 *
 * <p><b>Invariant.</b> Each server's share converges to 1/N; picks are independent, so over n
 * picks a server's count is Binomial(n, 1/N).
 *
 * <p><b>Example.</b> Servers [A, B, C] and draws that map to 2, 0, 0, 1 pick C, A, A, B.
 */
final class UniformRandom implements Algorithm {

  static final UniformRandom INSTANCE = new UniformRandom();

  private UniformRandom() {}

  @Override
  public String name() {
    return "random";
  }

  @Override
  public boolean rebuildsOnWeightChange() {
    return false;
  }

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    Endpoint[] all = endpoints.toArray(new Endpoint[0]);
    return ctx -> {
      int n = all.length;
      int i = Hashing.index(context.random().nextLong(), n);
      if (!ctx.hasAvoid()) {
        return all[i].selection();
      }
      for (int k = 0; k < n; k++) {
        Endpoint e = all[(i + k) % n];
        if (!ctx.avoids(e.server())) {
          return e.selection();
        }
      }
      throw context.noServerAvailable(ctx, null);
    };
  }

  @Override
  public String toString() {
    return name();
  }
}
