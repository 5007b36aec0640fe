package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import java.util.Arrays;
import java.util.List;

/**
 * Smooth weighted round robin, nginx's algorithm: picks are spread out in proportion to weight
 * instead of coming in blocks.
 *
 * <p><b>Source.</b> nginx commit 27e94984 ("Upstream: smooth weighted round-robin balancing",
 * Maxim Dounin, 2012), {@code ngx_http_upstream_get_peer}. On each pick every server's {@code
 * current} grows by its weight; the server with the greatest {@code current} wins (the first in
 * list order on a tie, as nginx's strict {@code >}) and loses the total weight.
 *
 * <p><b>Cost, precomputed cycle.</b> When the effective weights are whole numbers whose reduced
 * sum {@code W / g} is at most {@value #MAX_CYCLE} and {@code G × W / g} at most {@value
 * #MAX_PRECOMPUTE_STEPS}, G the number of distinct weights, the picker computes one cycle of
 * nginx's sequence at rebuild and a pick is one atomic increment and an array read: lock-free,
 * O(1), the exact sequence. The cycle costs O(N log N + G × W / g) and 4 bytes per pick of it:
 * servers of equal weight are picked in list order among themselves, so each step compares one
 * candidate per distinct weight instead of every server ({@link CyclePicker#nginxCycle} shows
 * why). Weights 1, 2, 3, ... over 10,000 servers take 60,000 comparisons; equal weights give list
 * order. A cycle shorter than 64 picks is also kept repeated to at least 64 ({@link Rotation},
 * short cycles). A pick with an avoid set (a retry) goes to the
 * critical-section form below, which runs nginx's sequence over the servers not avoided on a
 * state of its own: retries keep nginx's ratios among the remaining servers, and first attempts
 * keep the cycle, but the two no longer share one {@code current} vector as in nginx.
 *
 * <p><b>Cost, otherwise</b> (fractional weights during slow start, or larger sums): Envoy's
 * earliest-deadline-first scheduler ({@link EdfPicker}), O(log N) per pick inside a short
 * critical section, for any weight up to {@link dev.lbkit.api.Server#MAX_WEIGHT}. Its shares are
 * the same as nginx's over every cycle of whole weights, and within {@code 1 + N·w_i / W} of
 * the weights over any window; its sequence differs from nginx's (heavier servers come in runs at
 * the start of each cycle: {a: 5, b: 1, c: 1} gives {@code a a a a b c a}); {@link EdfPicker}
 * says exactly where. Rebuild: O(N). Memory: 36 bytes per server. Every pick allocates one
 * 24-byte selection.
 *
 * <p><b>Why a critical section</b> (for the EDF heap, and for nginx's O(N) scan that serves picks
 * with an avoid set while the cycle applies). The state of the sequence is the whole vector of {@code
 * current} values, and a pick reads and writes all of it. A lock-free version would copy the
 * vector and CAS a reference to it on every pick: one allocation of N doubles per pick, and under
 * contention the losers redo the scan. Guarding the scan with the picker's monitor costs one
 * uncontended CAS to enter and a plain store to leave, nothing is allocated, and the section does
 * no I/O and calls nothing, so it is held for the scan only (a few nanoseconds per server). nginx
 * does the same: with a shared-memory {@code zone} its workers take the upstream's lock around
 * {@code ngx_http_upstream_get_peer}. Use {@link Algorithms#weightedRandom()} where thousands of
 * threads pick at once from large lists.
 *
 * <p><b>Invariants</b> of nginx's sequence, which the precomputed cycle follows (single thread,
 * one snapshot, no avoided servers; {@link EdfPicker} states its own):
 *
 * <ul>
 *   <li>Every cycle of {@code W / g} picks, where W is the sum of weights and g their gcd, gives
 *       server i exactly {@code w_i / g} picks, and the sequence repeats every cycle.
 *   <li>The longest run of consecutive picks of server i, across cycle boundaries, is at most
 *       {@code 2 × ceil(w_i / (W - w_i))} (N ≥ 2). This bound is not proven here; it was checked
 *       exhaustively for every weight vector with N = 2, 3 and weights up to 24, N = 4 and weights
 *       up to 11, and by the property {@code
 *       SmoothWeightedRoundRobinTest#longestRunStaysWithinTwiceTheIdealRun} over random vectors.
 *       It is nearly reached: weights {179, 1, 1} give a run of 120 against a bound of 180.
 * </ul>
 *
 * <p><b>Example</b> (nginx's own, from the commit message): weights {a: 5, b: 1, c: 1}, in that order
 * after rotation, give {@code a a b a c a a}, then repeat. The {@code current} vectors after each pick are (-2,1,1),
 * (-4,2,2), (1,-4,3), (-1,-3,4), (4,-2,-2), (2,-1,-1), (0,0,0).
 *
 * <p><b>Random rotation.</b> Each snapshot first rotates the server list by a random offset, and
 * the sequence is nginx's for the rotated list. Without it, every client of a fleet that rebuilds
 * at the same moment (a deploy) would send its first picks to the same server whenever weights
 * tie, the herding grpc-java PR #4462 fixed for round robin. Shares and run bounds do not depend
 * on the order.
 *
 * <p><b>Weights</b> are the endpoints' effective weights when the picker is built (slow start and
 * health multipliers included); a change rebuilds the picker, which restarts the sequence from
 * zero as nginx does when its peers change. With an avoid set, avoided servers are skipped for
 * that pick without taking part, as nginx skips peers already tried.
 */
final class SmoothWeightedRoundRobin implements Algorithm {

  static final SmoothWeightedRoundRobin INSTANCE = new SmoothWeightedRoundRobin();

  private SmoothWeightedRoundRobin() {}

  @Override
  public String name() {
    return "smooth-weighted-round-robin";
  }

  /** The longest cycle precomputed: 2^16 picks, 256 KiB. */
  static final int MAX_CYCLE = 1 << 16;

  /**
   * The most comparisons a rebuild spends computing a cycle: distinct weights × cycle length, a
   * few milliseconds.
   */
  static final long MAX_PRECOMPUTE_STEPS = 1L << 22;

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    int n = endpoints.size();
    int start = context.random().nextInt(n);
    Endpoint[] rotated = new Endpoint[n];
    for (int i = 0; i < n; i++) {
      rotated[i] = endpoints.get((start + i) % n);
    }
    int[] cycle = CyclePicker.cycle(rotated);
    return cycle != null ? new CyclePicker(rotated, cycle, context) : new EdfPicker(rotated, context);
  }

  /** The lock-free form: one precomputed cycle of the sequence, walked by a shared counter. */
  static final class CyclePicker extends Rotation implements Picker {
    private final Endpoint[] endpoints;
    /**
     * One cycle of the sequence as server indexes, repeated to at least {@link
     * Rotation#MIN_POSITIONS}: what the counter walks.
     */
    private final int[] positions;
    /** Picks in one cycle of the sequence. */
    private final int cycleLength;
    /** Picks with an avoid set: nginx's sequence over the servers not avoided. */
    private final SwrrPicker avoiding;

    CyclePicker(Endpoint[] endpoints, int[] cycle, AlgorithmContext context) {
      super(0);
      this.endpoints = endpoints;
      this.positions = repeated(cycle);
      this.cycleLength = cycle.length;
      this.avoiding = new SwrrPicker(endpoints, context);
    }

    /**
     * One cycle of nginx's sequence for {@code endpoints}' effective weights, or null when they
     * are not whole numbers or the cycle exceeds the bounds in the class comment.
     */
    static int[] cycle(Endpoint[] endpoints) {
      int n = endpoints.length;
      long[] w = new long[n];
      long g = 0;
      long total = 0;
      for (int i = 0; i < n; i++) {
        double weight = endpoints[i].effectiveWeight();
        if (weight != Math.rint(weight) || weight < 1) {
          return null;
        }
        w[i] = (long) weight;
        g = gcd(g, w[i]);
        total += w[i];
      }
      long length = total / g;
      if (length > MAX_CYCLE) {
        return null;
      }
      // Servers by (reduced weight, list position): runs of equal weight, each in list order.
      long[] keys = new long[n];
      for (int i = 0; i < n; i++) {
        keys[i] = (w[i] / g) * n + i;
      }
      Arrays.sort(keys);
      int groups = 1;
      for (int i = 1; i < n; i++) {
        if (keys[i] / n != keys[i - 1] / n) {
          groups++;
        }
      }
      if (length * groups > MAX_PRECOMPUTE_STEPS) {
        return null;
      }
      long[] weight = new long[groups];
      int[] first = new int[groups + 1];
      int[] members = new int[n];
      for (int i = 0, group = -1; i < n; i++) {
        if (i == 0 || keys[i] / n != keys[i - 1] / n) {
          group++;
          weight[group] = keys[i] / n;
          first[group] = i;
        }
        members[i] = (int) (keys[i] % n);
      }
      first[groups] = n;
      return nginxCycle((int) length, weight, first, members);
    }

    /**
     * nginx's sequence over one cycle, one candidate per distinct weight. After t steps nginx's
     * {@code current} of server i is {@code t × w_i - length × n_i}, n_i its picks so far.
     * Servers of equal weight are picked in list order among themselves, by induction: the one
     * among them with the fewest picks, the first in list order on a tie, has the greatest {@code
     * current} of them and the first position, which is how nginx breaks ties. So a group's
     * candidate is its member {@code k mod size} after k picks of the group, with {@code n = k /
     * size}, and a step compares the groups' candidates: the greatest {@code current}, the
     * lowest list position on a tie. O(length × groups), against nginx's O(length × N).
     */
    static int[] nginxCycle(int length, long[] weight, int[] first, int[] members) {
      int groups = weight.length;
      long[] picked = new long[groups];
      int[] cycle = new int[length];
      for (int t = 1; t <= length; t++) {
        int best = -1;
        long bestCurrent = 0;
        int bestIndex = 0;
        for (int group = 0; group < groups; group++) {
          int size = first[group + 1] - first[group];
          long current = t * weight[group] - length * (picked[group] / size);
          int index = members[first[group] + (int) (picked[group] % size)];
          if (best < 0 || current > bestCurrent || (current == bestCurrent && index < bestIndex)) {
            best = group;
            bestCurrent = current;
            bestIndex = index;
          }
        }
        picked[best]++;
        cycle[t - 1] = bestIndex;
      }
      return cycle;
    }

    private static long gcd(long a, long b) {
      while (b != 0) {
        long t = a % b;
        a = b;
        b = t;
      }
      return a;
    }

    @Override
    public Selection pick(PickContext ctx) {
      if (ctx.hasAvoid()) {
        return avoiding.pick(ctx);
      }
      return endpoints[positions[nextPosition(positions.length)]].selection();
    }

    @Override
    public String toString() {
      return "SmoothWeightedRoundRobinPicker{cycle of " + cycleLength + "}" + List.of(endpoints);
    }
  }

  @Override
  public String toString() {
    return name();
  }

  static final class SwrrPicker implements Picker {
    private final Endpoint[] endpoints;
    private final double[] weights;
    private final double total;
    private final AlgorithmContext context;
    // Guarded by this. Doubles are exact for integers below 2^53, far above N × MAX_WEIGHT.
    private final double[] current;

    SwrrPicker(Endpoint[] endpoints, AlgorithmContext context) {
      this.endpoints = endpoints;
      this.context = context;
      this.weights = new double[endpoints.length];
      double sum = 0;
      for (int i = 0; i < endpoints.length; i++) {
        weights[i] = endpoints[i].effectiveWeight();
        sum += weights[i];
      }
      this.total = sum;
      this.current = new double[endpoints.length];
    }

    @Override
    public Selection pick(PickContext ctx) {
      int best = ctx.hasAvoid() ? pickAvoiding(ctx) : next();
      if (best < 0) {
        throw context.noServerAvailable(ctx, null);
      }
      return endpoints[best].selection();
    }

    private synchronized int next() {
      double[] c = current;
      double[] w = weights;
      int best = 0;
      c[0] += w[0];
      for (int i = 1; i < c.length; i++) {
        c[i] += w[i];
        if (c[i] > c[best]) {
          best = i;
        }
      }
      c[best] -= total;
      return best;
    }

    private synchronized int pickAvoiding(PickContext ctx) {
      double[] c = current;
      double sum = 0;
      int best = -1;
      for (int i = 0; i < c.length; i++) {
        if (ctx.avoids(endpoints[i].server())) {
          continue;
        }
        c[i] += weights[i];
        sum += weights[i];
        if (best < 0 || c[i] > c[best]) {
          best = i;
        }
      }
      if (best >= 0) {
        c[best] -= sum;
      }
      return best;
    }

    @Override
    public String toString() {
      return "SmoothWeightedRoundRobinPicker" + List.of(endpoints);
    }
  }
}
