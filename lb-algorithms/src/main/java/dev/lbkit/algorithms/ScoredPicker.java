package dev.lbkit.algorithms;

import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import java.util.List;

/**
 * The picker shared by the load-aware algorithms: it scores candidate servers from their live
 * statistics and takes the lowest score. The candidates are either every server (full scan) or
 * {@code k} distinct servers drawn uniformly at random (power of k choices).
 *
 * <p><b>Sampling without allocation.</b> A pick draws one random {@code long} seed and derives
 * draw m from it, mapped to an index: draw 0 is the seed's high 32 bits over the N indices; draw 1
 * is its low 32 bits over the N - 1 others (skipping draw 0's), so that the usual two choices are
 * distinct without a retry and cost no mixing; draw m ≥ 2 is {@code mix64(seed + m × GOLDEN)}
 * over all N. It is a stream the pick can replay at will.
 * A draw is a duplicate when an earlier draw of the same stream hit the same index, which a
 * replay answers without storing anything; the distinct draws form a uniform random k-subset
 * (the first uniform, the second uniform over the rest, each later one uniform over the rest
 * once its duplicates are skipped).
 * Replays cost O(k²) index computations, a handful for the usual k = 2. A hard cap of {@link
 * #maxDraws} draws bounds every pick; in the rare pick that reaches it (k close to N), fewer than
 * k candidates are compared. With k ≥ N every server is a candidate.
 *
 * <p><b>Ties</b> between equal scores in a full scan go to a uniformly random one among them
 * (reservoir sampling), so idle clusters do not herd onto the first server. In the sampled form
 * the first drawn candidate wins a tie, which is random already.
 *
 * <p><b>Allocation.</b> The only allocation is the {@link Endpoint#track()} selection, which
 * counts the request in flight; these algorithms need that count.
 */
final class ScoredPicker implements Picker {

  /** How a candidate is scored; lower is better. */
  enum Score {
    /**
     * (in-flight + 1) / health weight multiplier: in-flight order, except that slow start
     * scales a server's load up. Configured weights are ignored.
     */
    IN_FLIGHT,
    /** (in-flight + 1) / effective weight. */
    WEIGHTED_IN_FLIGHT,
    /** Peak EWMA latency × (in-flight + 1). */
    PEAK_EWMA_COST,
    /** EWMA latency × (in-flight + 1). */
    EWMA_COST
  }

  /** How far below the best sampled estimate an unsampled server is costed: it wins ties. */
  private static final double UNSAMPLED_DISCOUNT = 1.0 - 1e-9;

  private final Endpoint[] endpoints;
  private final AlgorithmContext context;
  private final Score score;
  private final int choices; // 0: full scan
  private final boolean latency;

  ScoredPicker(List<Endpoint> endpoints, AlgorithmContext context, Score score, int choices) {
    this.endpoints = endpoints.toArray(new Endpoint[0]);
    this.context = context;
    this.score = score;
    this.choices = choices >= this.endpoints.length ? 0 : choices;
    this.latency = score == Score.PEAK_EWMA_COST || score == Score.EWMA_COST;
  }

  /**
   * The bound on draws per pick: ample for k distinct while k ≤ N/2 (each draw is new with
   * probability ≥ 1/2), and at most 144 draws for the largest allowed k.
   */
  static int maxDraws(int k) {
    return 4 * k + 16;
  }

  /**
   * Draw {@code m} of the stream seeded with {@code seed}, as an index in {@code [0, n)}; draw 1
   * differs from draw 0 whenever {@code n ≥ 2}.
   */
  static int draw(long seed, int m, int n) {
    switch (m) {
      case 0:
        return Hashing.index(seed, n);
      case 1:
        if (n < 2) {
          return 0;
        }
        // Uniform over the n - 1 indices other than draw 0's: one step past it from there on.
        int other = Hashing.index(seed << 32, n - 1);
        return other >= Hashing.index(seed, n) ? other + 1 : other;
      default:
        return Hashing.index(Hashing.mix64(seed + m * Hashing.GOLDEN), n);
    }
  }

  /** Whether draw {@code m} repeats an index of an earlier draw of the same stream. */
  static boolean repeats(long seed, int m, int index, int n) {
    for (int j = 0; j < m; j++) {
      if (draw(seed, j, n) == index) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Selection pick(PickContext ctx) {
    // One clock read per pick, for every candidate's decayed estimate.
    long now = latency ? context.ticker().nanoTime() : 0;
    int best = -1;
    if (choices == 2) {
      best = bestOfTwo(ctx, context.random().nextLong(), now);
    } else if (choices > 0) {
      best = bestOfDraws(ctx, context.random().nextLong(), now);
    }
    if (best < 0) {
      best = bestOfAll(ctx, now);
    }
    if (best < 0) {
      throw context.noServerAvailable(ctx, null);
    }
    return endpoints[best].track();
  }

  /**
   * The lowest score of all; among equal lowest scores a uniformly random one, by reservoir
   * sampling: the k-th equal score replaces the best with chance 1/k. The coin of tie k is {@code
   * mix64(seed + k × GOLDEN)} mapped to [0, k) by multiply-high, 0 meaning "replace", with one
   * random {@code long} per pick. A strictly lower score starts a new group of ties and uses the
   * coins from tie 2 on again; the winner depends only on the last group's coins, so it is
   * uniform within that group. The replacement is made without a branch. (A branch there goes
   * one way or the other at random, about ln k times a scan, and each misprediction throws away
   * the loop iterations the CPU had run ahead: with that branch and a call to the random source per
   * tie, a pick and its report over 100 idle servers took 1.0 to 1.6 µs; without, 0.6 µs.)
   */
  private int bestOfAll(PickContext ctx, long now) {
    double fill = latency ? bestEstimateOfAll(ctx, now) : 0;
    long seed = context.random().nextLong();
    int best = -1;
    double bestScore = Double.POSITIVE_INFINITY;
    int ties = 0;
    for (int i = 0; i < endpoints.length; i++) {
      Endpoint e = endpoints[i];
      if (ctx.hasAvoid() && ctx.avoids(e.server())) {
        continue;
      }
      double s = score(e, fill, now);
      if (best < 0 || s < bestScore) {
        best = i;
        bestScore = s;
        ties = 1;
      } else if (s == bestScore) {
        ties++;
        int coin = Hashing.index(Hashing.mix64(seed + ties * Hashing.GOLDEN), ties);
        int replace = (coin - 1) >> 31; // all ones when coin == 0, else 0
        best ^= (best ^ i) & replace;
      }
    }
    return best;
  }

  int bestOfDraws(PickContext ctx, long seed, long now) {
    int n = endpoints.length;
    double fill = latency ? bestEstimateOfDraws(ctx, seed, now) : 0;
    int limit = maxDraws(choices);
    int accepted = 0;
    int best = -1;
    double bestScore = Double.POSITIVE_INFINITY;
    for (int m = 0; m < limit && accepted < choices; m++) {
      int i = draw(seed, m, n);
      if (repeats(seed, m, i, n) || (ctx.hasAvoid() && ctx.avoids(endpoints[i].server()))) {
        continue;
      }
      accepted++;
      double s = score(endpoints[i], fill, now);
      if (best < 0 || s < bestScore) {
        best = i;
        bestScore = s;
      }
    }
    return best;
  }

  /**
   * {@link #bestOfDraws} for two choices, in one pass: the same draws, the same two candidates and
   * the same winner, but each candidate's statistics are read once instead of twice, and a
   * repeated draw is recognised by comparing with the first candidate instead of replaying the
   * stream. (A draw that repeats an avoided index is avoided again, so only the accepted
   * candidate needs comparing.) In-flight scores are compared cross-multiplied rather than
   * divided, which can order two scores differently only where they agree to within one
   * rounding; with whole weights and counts (the usual case) both forms are exact.
   */
  int bestOfTwo(PickContext ctx, long seed, long now) {
    int n = endpoints.length;
    int a = draw(seed, 0, n);
    int b = draw(seed, 1, n); // distinct from a
    if (ctx.hasAvoid()) {
      long pair = twoCandidates(ctx, seed, n);
      a = (int) (pair >> 32);
      b = (int) pair;
      if (b < 0) {
        return a;
      }
    }
    return latency ? cheaperByLatency(a, b, now) : cheaperByLoad(a, b);
  }

  /**
   * The first two draws that are distinct and not avoided, as {@code a << 32 | b}; b is -1 when
   * fewer than two were found, a too when none was. The general case of {@link #bestOfTwo}, kept
   * apart so that the common case (two distinct draws, nothing avoided) stays small enough to
   * inline.
   */
  private long twoCandidates(PickContext ctx, long seed, int n) {
    int limit = maxDraws(2);
    int a = -1;
    int b = -1;
    for (int m = 0; m < limit; m++) {
      int i = draw(seed, m, n);
      if (i == a || (ctx.hasAvoid() && ctx.avoids(endpoints[i].server()))) {
        continue;
      }
      if (a < 0) {
        a = i;
      } else {
        b = i;
        break;
      }
    }
    return (long) a << 32 | (b & 0xFFFFFFFFL);
  }

  /**
   * Of two candidates, b when its {@code (in-flight + 1) / weight} is strictly lower, else a;
   * cross-multiplied (weights are positive), as two multiplications cost less than two divisions.
   */
  private int cheaperByLoad(int a, int b) {
    Endpoint ea = endpoints[a];
    Endpoint eb = endpoints[b];
    return (eb.inFlight() + 1) * weightOf(ea) < (ea.inFlight() + 1) * weightOf(eb) ? b : a;
  }

  /** Of two candidates, b when its latency cost is strictly lower, else a; see {@link #latencyCost}. */
  private int cheaperByLatency(int a, int b, long now) {
    Endpoint ea = endpoints[a];
    Endpoint eb = endpoints[b];
    boolean sampledA = ea.hasLatencySample(now);
    boolean sampledB = eb.hasLatencySample(now);
    double rawA = sampledA ? rawEstimate(ea, now) : Double.POSITIVE_INFINITY;
    double rawB = sampledB ? rawEstimate(eb, now) : Double.POSITIVE_INFINITY;
    double best = Math.min(rawA, rawB);
    double fill = best == Double.POSITIVE_INFINITY ? 1.0 : Math.max(1.0, best);
    double costA = sampledA ? Math.max(1.0, rawA) * (ea.inFlight() + 1)
        : fill * UNSAMPLED_DISCOUNT * (ea.inFlight() + 1);
    double costB = sampledB ? Math.max(1.0, rawB) * (eb.inFlight() + 1)
        : fill * UNSAMPLED_DISCOUNT * (eb.inFlight() + 1);
    return costB < costA ? b : a;
  }

  /** The divisor of an in-flight score. */
  private double weightOf(Endpoint e) {
    return score == Score.IN_FLIGHT ? e.health().weightMultiplier() : e.effectiveWeight();
  }

  private double score(Endpoint e, double fill, long now) {
    return latency ? latencyCost(e, fill, now) : (e.inFlight() + 1) / weightOf(e);
  }

  /**
   * Estimate × (in-flight + 1). A server without a sample is costed at the best (lowest)
   * estimate among the sampled servers it competes with, and a hair below it, so that it wins a
   * tie against an equally loaded rival: it cannot starve whatever the others' latencies, and
   * after its first pick its in-flight count makes it compete like any other server.
   */
  private double latencyCost(Endpoint e, double fill, long now) {
    if (!e.hasLatencySample(now)) {
      return fill * UNSAMPLED_DISCOUNT * (e.inFlight() + 1);
    }
    return Math.max(1.0, rawEstimate(e, now)) * (e.inFlight() + 1);
  }

  private double rawEstimate(Endpoint e, long now) {
    return score == Score.PEAK_EWMA_COST ? e.peakEwmaNanos(now) : e.latencyEwmaNanos();
  }

  private double bestEstimateOfAll(PickContext ctx, long now) {
    double best = Double.POSITIVE_INFINITY;
    for (Endpoint e : endpoints) {
      if (e.hasLatencySample(now) && !(ctx.hasAvoid() && ctx.avoids(e.server()))) {
        best = Math.min(best, rawEstimate(e, now));
      }
    }
    return best == Double.POSITIVE_INFINITY ? 1.0 : Math.max(1.0, best);
  }

  private double bestEstimateOfDraws(PickContext ctx, long seed, long now) {
    int n = endpoints.length;
    int limit = maxDraws(choices);
    int accepted = 0;
    double best = Double.POSITIVE_INFINITY;
    for (int m = 0; m < limit && accepted < choices; m++) {
      int i = draw(seed, m, n);
      Endpoint e = endpoints[i];
      if (repeats(seed, m, i, n) || (ctx.hasAvoid() && ctx.avoids(e.server()))) {
        continue;
      }
      accepted++;
      if (e.hasLatencySample(now)) {
        best = Math.min(best, rawEstimate(e, now));
      }
    }
    return best == Double.POSITIVE_INFINITY ? 1.0 : Math.max(1.0, best);
  }

  @Override
  public String toString() {
    return "ScoredPicker{" + score + ", choices=" + (choices == 0 ? "all" : choices) + ", "
        + List.of(endpoints) + "}";
  }
}
