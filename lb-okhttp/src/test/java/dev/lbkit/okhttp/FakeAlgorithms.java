package dev.lbkit.okhttp;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Test-only stand-ins for algorithm families that lb-algorithms does not have yet in this
 * branch: hashing (key → server, stable) and weighted random. Both honour the avoid set.
 */
final class FakeAlgorithms {
  private FakeAlgorithms() {}

  /** Picks {@code sorted[hash(key) mod n]}, walking on past avoided servers; random without a key. */
  static final Algorithm FAKE_HASH = new Algorithm() {
    @Override
    public String name() {
      return "fake-hash";
    }

    @Override
    public boolean rebuildsOnWeightChange() {
      return false;
    }

    @Override
    public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
      List<Endpoint> sorted = new ArrayList<>(endpoints);
      sorted.sort(Comparator.comparing(e -> e.server().id()));
      return ctx -> {
        int n = sorted.size();
        String key = ctx.hashKeyOrNull();
        int start = key == null ? context.random().nextInt(n) : Math.floorMod(key.hashCode() * 0x9E3779B1, n);
        for (int k = 0; k < n; k++) {
          Endpoint e = sorted.get((start + k) % n);
          if (!ctx.avoids(e.server())) {
            return e.track();
          }
        }
        throw context.noServerAvailable(ctx, null);
      };
    }
  };

  /** Weighted random by server weight, from the context's seeded random source. */
  static final Algorithm FAKE_WEIGHTED_RANDOM = new Algorithm() {
    @Override
    public String name() {
      return "fake-weighted-random";
    }

    @Override
    public boolean rebuildsOnWeightChange() {
      return true;
    }

    @Override
    public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
      Endpoint[] all = endpoints.toArray(new Endpoint[0]);
      return new Picker() {
        @Override
        public Selection pick(PickContext ctx) {
          double total = 0;
          for (Endpoint e : all) {
            if (!ctx.avoids(e.server())) {
              total += e.effectiveWeight();
            }
          }
          if (total == 0) {
            throw context.noServerAvailable(ctx, null);
          }
          double r = context.random().nextDouble() * total;
          Endpoint last = null;
          for (Endpoint e : all) {
            if (ctx.avoids(e.server())) {
              continue;
            }
            last = e;
            r -= e.effectiveWeight();
            if (r < 0) {
              return e.track();
            }
          }
          return last.track();
        }
      };
    }
  };

  /** Pearson's chi-square statistic of observed counts against expected shares. */
  static double chiSquare(long[] observed, double[] shares) {
    long total = 0;
    for (long o : observed) {
      total += o;
    }
    double chi = 0;
    for (int i = 0; i < observed.length; i++) {
      double expected = total * shares[i];
      chi += (observed[i] - expected) * (observed[i] - expected) / expected;
    }
    return chi;
  }
}
