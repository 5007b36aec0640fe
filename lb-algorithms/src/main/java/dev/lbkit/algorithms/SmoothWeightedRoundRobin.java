package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
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
 * <p><b>Cost.</b> Pick: one O(N) scan and one 16-byte selection, inside a short critical section.
 * Rebuild: O(N). Memory: two doubles per server. No table of size sum(weights) is built, so any
 * weight up to {@link dev.lbkit.api.Server#MAX_WEIGHT} works.
 *
 * <p><b>Why a critical section.</b> The state of the sequence is the whole vector of {@code
 * current} values, and a pick reads and writes all of it. A lock-free version would copy the
 * vector and CAS a reference to it on every pick: one allocation of N doubles per pick, and under
 * contention the losers redo the scan. Guarding the scan with the picker's monitor costs one
 * uncontended CAS to enter and a plain store to leave, nothing is allocated, and the section does
 * no I/O and calls nothing, so it is held for the scan only (a few nanoseconds per server). nginx
 * does the same: with a shared-memory {@code zone} its workers take the upstream's lock around
 * {@code ngx_http_upstream_get_peer}. Use {@link Algorithms#weightedRandom()} where thousands of
 * threads pick at once from large lists.
 *
 * <p><b>Invariants</b> (single thread, one snapshot, no avoided servers):
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

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    int n = endpoints.size();
    int start = context.random().nextInt(n);
    Endpoint[] rotated = new Endpoint[n];
    for (int i = 0; i < n; i++) {
      rotated[i] = endpoints.get((start + i) % n);
    }
    return new SwrrPicker(rotated, context);
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
