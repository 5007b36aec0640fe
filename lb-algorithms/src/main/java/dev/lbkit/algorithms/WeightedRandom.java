package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import java.util.List;

/**
 * Weighted random: each pick takes server i with probability {@code w_i / W}, independently of
 * every other pick.
 *
 * <p><b>Source.</b> Walker's alias method (Walker 1977), built with Vose's linear-time,
 * numerically stable construction (Vose, "A linear algorithm for generating random numbers with
 * a given distribution", IEEE TSE 1991).
 *
 * <p><b>Cost.</b> Pick: one random {@code long}, one multiplication and one array read, O(1),
 * and the 24-byte selection. The high 32 bits of the draw choose the column ({@code (hi × N) >>>
 * 32}, no division) and the low 31 bits are compared with the column's threshold; the threshold
 * and the alias share one {@code long}, so a pick reads one array element. Rebuild: O(N) time, one
 * double and one long per server. With an avoid set the pick falls back to an O(N) walk over the
 * cumulative weights of the servers not avoided, which keeps the shares exact among them.
 *
 * <p><b>Invariant.</b> Each column i of the table is split between i (probability {@code
 * prob[i]}) and {@code alias[i]}; the columns together give every server exactly {@code N × w_i /
 * W} of N columns' mass, so P(i) = w_i / W up to rounding. Rounding: a column's split is held as
 * a multiple of 2<sup>-31</sup> (off by at most 2<sup>-32</sup>), and a column's chance is 1/N
 * off by less than 2<sup>-32</sup>, so a server's share is off by less than (c + 1) ×
 * 2<sup>-32</sup>, c the number of columns it has a part in: below 3 × 10<sup>-6</sup> even at
 * 10,000 servers, far below what any test of a share can see.
 *
 * <p><b>Example.</b> Weights {A: 3, B: 1}: scaled masses 1.5 and 0.5; column B keeps 0.5 and
 * lends the rest to A, column A is all A. A draw whose high half falls in column 1 (B) with its
 * low 31 bits at 0.4 × 2<sup>31</sup> &lt; 0.5 × 2<sup>31</sup> picks B; at 0.8 × 2<sup>31</sup>,
 * the alias A. P(A) = (1 + 0.5) / 2 = 3/4.
 *
 * <p>Weights are the effective weights when the picker is built (slow start included); a change
 * rebuilds the table.
 */
final class WeightedRandom implements Algorithm {

  static final WeightedRandom INSTANCE = new WeightedRandom();

  private WeightedRandom() {}

  @Override
  public String name() {
    return "weighted-random";
  }

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    return new AliasPicker(endpoints.toArray(new Endpoint[0]), context);
  }

  @Override
  public String toString() {
    return name();
  }

  static final class AliasPicker implements Picker {
    /** One scale unit of a column's threshold: the low 31 bits of a draw. */
    private static final double THRESHOLD_SCALE = 0x1p31;

    private final Endpoint[] endpoints;
    private final double[] weights;
    /** Per column: the threshold (its own share × 2^31, in [0, 2^31]) above the alias index. */
    private final long[] columns;
    private final AlgorithmContext context;

    AliasPicker(Endpoint[] endpoints, AlgorithmContext context) {
      int n = endpoints.length;
      this.endpoints = endpoints;
      this.context = context;
      this.weights = new double[n];
      double[] prob = new double[n];
      int[] alias = new int[n];
      double total = 0;
      for (int i = 0; i < n; i++) {
        weights[i] = endpoints[i].effectiveWeight();
        total += weights[i];
      }
      double[] scaled = new double[n];
      int[] small = new int[n];
      int[] large = new int[n];
      int ns = 0;
      int nl = 0;
      for (int i = 0; i < n; i++) {
        scaled[i] = weights[i] * n / total;
        if (scaled[i] < 1.0) {
          small[ns++] = i;
        } else {
          large[nl++] = i;
        }
      }
      while (ns > 0 && nl > 0) {
        int s = small[--ns];
        int l = large[--nl];
        prob[s] = scaled[s];
        alias[s] = l;
        scaled[l] = (scaled[l] + scaled[s]) - 1.0;
        if (scaled[l] < 1.0) {
          small[ns++] = l;
        } else {
          large[nl++] = l;
        }
      }
      // What remains is 1 up to rounding: such columns keep all their mass.
      while (nl > 0) {
        int l = large[--nl];
        prob[l] = 1.0;
        alias[l] = l;
      }
      while (ns > 0) {
        int s = small[--ns];
        prob[s] = 1.0;
        alias[s] = s;
      }
      this.columns = new long[n];
      for (int i = 0; i < n; i++) {
        long threshold = Math.round(Math.min(1.0, prob[i]) * THRESHOLD_SCALE);
        columns[i] = threshold << 32 | alias[i];
      }
    }

    @Override
    public Selection pick(PickContext ctx) {
      if (ctx.hasAvoid()) {
        return pickAvoiding(ctx);
      }
      long r = context.random().nextLong();
      int column = Hashing.index(r, columns.length);
      long entry = columns[column];
      // The column itself when the low 31 bits fall below its threshold, else its alias; without
      // a branch, as the outcome is a coin toss the predictor would miss half the time.
      long below = ((r & Integer.MAX_VALUE) - (entry >>> 32)) >> 63; // -1 or 0
      int i = (int) ((column & below) | (entry & ~below));
      return endpoints[i].selection();
    }

    private Selection pickAvoiding(PickContext ctx) {
      double sum = 0;
      for (int i = 0; i < endpoints.length; i++) {
        if (!ctx.avoids(endpoints[i].server())) {
          sum += weights[i];
        }
      }
      if (sum <= 0) {
        throw context.noServerAvailable(ctx, null);
      }
      double r = context.random().nextDouble() * sum;
      int last = -1;
      for (int i = 0; i < endpoints.length; i++) {
        if (!ctx.avoids(endpoints[i].server())) {
          last = i;
          r -= weights[i];
          if (r < 0) {
            return endpoints[i].selection();
          }
        }
      }
      return endpoints[last].selection(); // rounding left r at a hair above 0
    }

    @Override
    public String toString() {
      return "WeightedRandomPicker" + List.of(endpoints);
    }
  }
}
