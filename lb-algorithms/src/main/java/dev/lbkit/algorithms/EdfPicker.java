package dev.lbkit.algorithms;

import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import java.util.List;

/**
 * Weighted round robin by earliest deadline first: the form smooth weighted round robin takes when
 * its precomputed cycle does not apply (fractional effective weights during slow start, or a cycle
 * longer than {@link SmoothWeightedRoundRobin#MAX_CYCLE}). O(log N) per pick for any weight up to
 * {@link dev.lbkit.api.Server#MAX_WEIGHT}.
 *
 * <p><b>Source.</b> Envoy's {@code EdfScheduler} ({@code source/common/upstream/edf_scheduler.h},
 * used by its weighted round robin and least request balancers; Envoy's "Load balancing" docs).
 * Server i has a deadline in virtual time; a pick takes the server with the earliest deadline
 * and moves that server's deadline on by {@code 1 / w_i}. Ties go to the server that got its
 * deadline first (Envoy's insertion order), and initially to list order.
 *
 * <p><b>Exact deadlines.</b> Envoy adds {@code 1 / w} to a running clock; here the deadline of
 * server i's k-th pick is computed as {@code k / w_i}, one correctly rounded division, so that
 * no error accumulates over long runs and two servers tie exactly when their exact deadlines do.
 *
 * <p><b>Shares.</b> After any number P of picks there is a virtual time T with every server i
 * picked between {@code T·w_i - 1} and {@code T·w_i} times, so its count differs from its share
 * {@code P·w_i / W} by at most 1 below and {@code N·w_i / W} above; over any window of consecutive
 * picks by at most {@code 1 + N·w_i / W} either way. With whole weights, every W consecutive picks
 * from the start (W the sum of weights) give server i exactly w_i: the deadlines {@code 1/w_i, …,
 * w_i/w_i} all fall in the first unit of virtual time, and so on for each unit.
 *
 * <p><b>Where the sequence differs from nginx's.</b> nginx's smooth weighted round robin
 * spreads a heavy server's picks between the light ones; EDF serves each unit of virtual time in
 * deadline order, so the heavy server's picks bunch up before the light servers' deadlines come
 * due. Weights {a: 5, b: 1, c: 1} give nginx's {@code a a b a c a a} but here {@code a a a a b c a}
 * (deadlines a 0.2, 0.4, 0.6, 0.8, then b, c and a all at 1.0, b and c holding theirs from the
 * start), then again. Shares per cycle are the same; runs are longer: 5 across the cycle boundary
 * against nginx's 4. Both sequences are deterministic for a given list.
 *
 * <p><b>Avoid sets.</b> A pick with an avoid set (a retry) takes the earliest deadline among the
 * servers not avoided, by an O(N) scan, and moves that server on as any pick does: first attempts
 * and retries share one schedule.
 *
 * <p><b>Threading.</b> The heap is mutated by every pick, under the picker's monitor, as {@link
 * SmoothWeightedRoundRobin.SwrrPicker}'s scan is (see {@link SmoothWeightedRoundRobin} for why a
 * short critical section); here it holds O(log N) steps. Rebuild: O(N) (the heap is built bottom
 * up). Memory: 36 bytes per server.
 */
final class EdfPicker implements Picker {

  private final Endpoint[] endpoints;
  private final double[] weights;
  private final AlgorithmContext context;
  // All guarded by this.
  /** A binary min-heap of endpoint indices, by (deadline, since). */
  private final int[] heap;
  /** Per endpoint: picks so far. */
  private final long[] picks;
  /** Per endpoint: the virtual time of its next pick, (picks + 1) / weight. */
  private final double[] deadline;
  /** Per endpoint: the pick count when it got its deadline; breaks ties, earlier first. */
  private final long[] since;
  private long count;

  EdfPicker(Endpoint[] endpoints, AlgorithmContext context) {
    int n = endpoints.length;
    this.endpoints = endpoints;
    this.context = context;
    this.weights = new double[n];
    this.heap = new int[n];
    this.picks = new long[n];
    this.deadline = new double[n];
    this.since = new long[n];
    for (int i = 0; i < n; i++) {
      weights[i] = endpoints[i].effectiveWeight();
      deadline[i] = 1.0 / weights[i];
      since[i] = i - (long) n; // before every pick, in list order
      heap[i] = i;
    }
    for (int p = n / 2 - 1; p >= 0; p--) {
      siftDown(p);
    }
  }

  @Override
  public Selection pick(PickContext ctx) {
    int best = ctx.hasAvoid() ? pickAvoiding(ctx) : next();
    if (best < 0) {
      throw context.noServerAvailable(ctx, null);
    }
    return endpoints[best].selection();
  }

  /** The server with the earliest deadline; moves it on. */
  synchronized int next() {
    int top = heap[0];
    advance(top);
    siftDown(0);
    return top;
  }

  private synchronized int pickAvoiding(PickContext ctx) {
    int bestPos = -1;
    for (int p = 0; p < heap.length; p++) {
      int e = heap[p];
      if (ctx.avoids(endpoints[e].server())) {
        continue;
      }
      if (bestPos < 0 || earlier(e, heap[bestPos])) {
        bestPos = p;
      }
    }
    if (bestPos < 0) {
      return -1;
    }
    int e = heap[bestPos];
    advance(e);
    siftDown(bestPos); // its key only grew
    return e;
  }

  private void advance(int e) {
    long k = ++picks[e];
    deadline[e] = (k + 1) / weights[e];
    since[e] = count++;
  }

  private boolean earlier(int a, int b) {
    return deadline[a] < deadline[b] || (deadline[a] == deadline[b] && since[a] < since[b]);
  }

  private void siftDown(int p) {
    int n = heap.length;
    int e = heap[p];
    while (true) {
      int child = 2 * p + 1;
      if (child >= n) {
        break;
      }
      if (child + 1 < n && earlier(heap[child + 1], heap[child])) {
        child++;
      }
      if (!earlier(heap[child], e)) {
        break;
      }
      heap[p] = heap[child];
      p = child;
    }
    heap[p] = e;
  }

  @Override
  public String toString() {
    return "SmoothWeightedRoundRobinPicker{earliest deadline first}" + List.of(endpoints);
  }
}
