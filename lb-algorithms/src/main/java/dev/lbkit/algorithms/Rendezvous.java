package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import java.util.List;

/**
 * Rendezvous (highest random weight) hashing, weighted: every server scores the key, the best
 * score wins.
 *
 * <p><b>Source.</b> Thaler and Ravishankar, "A Name-Based Mapping Scheme for Rendezvous" (1996);
 * the weighted form is Schindelhauer and Schomaker's logarithmic method ("Weighted Distributed
 * Hash Tables", SPAA 2005), as in Resch's "New Hashing Algorithms for Data Storage" (2015): with
 * {@code u = mix64(keyHash xor serverHash_i)} mapped to (0, 1), server i scores {@code -w_i /
 * ln(u)}. The scores are independent exponentials' inverses, so server i wins with probability
 * exactly {@code w_i / W}. With equal weights the log is monotone, so the picker compares the
 * mixed hashes directly.
 *
 * <p><b>Cost.</b> Pick: one xxHash64 of the key, then per server one mix and (weighted) one
 * logarithm: O(N), one 24-byte selection. Meant for small clusters where exact balance and minimal
 * disruption matter more than O(1) picks. Rebuild: O(N) hashes of server ids; 16 bytes per
 * server. A weight change rebuilds.
 *
 * <p><b>Invariants.</b> The same key maps to the same server while the set and weights are
 * unchanged. A server's score for a key depends only on the key, its id and its weight, so
 * removing a server moves exactly the keys it won, each to the runner-up, and adding it back
 * restores the mapping, whatever the weights.
 *
 * <p><b>Example.</b> Equal weights, key hash k, mixed scores A 0x3f.., B 0xc1.., C 0x80..
 * (unsigned): B wins. Removing B gives the key to C, the runner-up; keys won by A or C stay.
 *
 * <p><b>Avoid set and no key.</b> Avoided servers do not score; the best of the others wins,
 * which is where the key would go if they were removed. A pick without a key uses a random hash.
 */
final class Rendezvous implements Algorithm {

  static final Rendezvous INSTANCE = new Rendezvous();

  private Rendezvous() {}

  @Override
  public String name() {
    return "rendezvous";
  }

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    Endpoint[] sorted = HashKeys.sortedById(endpoints);
    long[] hashes = new long[sorted.length];
    double[] weights = new double[sorted.length];
    boolean equal = true;
    for (int i = 0; i < sorted.length; i++) {
      hashes[i] = HashKeys.serverHash(sorted[i], 0);
      weights[i] = sorted[i].effectiveWeight();
      equal &= weights[i] == weights[0];
    }
    return new RendezvousPicker(sorted, hashes, equal ? null : weights, context);
  }

  @Override
  public String toString() {
    return name();
  }

  static final class RendezvousPicker implements Picker {
    private final Endpoint[] endpoints;
    private final long[] hashes;
    private final double[] weights; // null when all weights are equal
    private final AlgorithmContext context;

    RendezvousPicker(Endpoint[] endpoints, long[] hashes, double[] weights, AlgorithmContext context) {
      this.endpoints = endpoints;
      this.hashes = hashes;
      this.weights = weights;
      this.context = context;
    }

    @Override
    public Selection pick(PickContext ctx) {
      long key = HashKeys.keyHash(ctx, context);
      boolean avoid = ctx.hasAvoid();
      int best = -1;
      if (weights == null) {
        long bestMix = 0;
        for (int i = 0; i < endpoints.length; i++) {
          if (avoid && ctx.avoids(endpoints[i].server())) {
            continue;
          }
          long mix = Hashing.mix64(key ^ hashes[i]);
          if (best < 0 || Long.compareUnsigned(mix, bestMix) > 0) {
            best = i;
            bestMix = mix;
          }
        }
      } else {
        double bestScore = 0;
        for (int i = 0; i < endpoints.length; i++) {
          if (avoid && ctx.avoids(endpoints[i].server())) {
            continue;
          }
          // -w / ln(u) > 0 for u in (0, 1); higher wins.
          double score = -weights[i] / Math.log(Hashing.unitOpen(Hashing.mix64(key ^ hashes[i])));
          if (best < 0 || score > bestScore) {
            best = i;
            bestScore = score;
          }
        }
      }
      if (best < 0) {
        throw context.noServerAvailable(ctx, null);
      }
      return endpoints[best].selection();
    }

    @Override
    public String toString() {
      return "RendezvousPicker" + List.of(endpoints);
    }
  }
}
