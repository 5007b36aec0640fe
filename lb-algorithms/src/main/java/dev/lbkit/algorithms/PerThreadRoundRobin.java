package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import java.util.List;

/**
 * Round robin without a shared counter: each thread rotates through the servers on its own
 * counter, which starts at a random index per thread and snapshot.
 *
 * <p><b>Why.</b> {@link RoundRobin}'s single counter is one cache line that every picking core
 * writes: on two threads sharing one balancer an increment costs several times an uncontended
 * one. Here a pick touches only its own thread's counter, so picks scale with cores.
 *
 * <p><b>What it gives up.</b> Exact global rotation. Each thread's own picks rotate exactly (k×N
 * consecutive picks of one thread give every server exactly k), and because every thread starts
 * at a random index, the servers' shares over many threads are equal in expectation; but the
 * picks of several threads interleave freely, so two threads may pick the same server at the
 * same moment. Use {@link Algorithms#roundRobin()}, the default, where exact global rotation
 * matters more than contention.
 *
 * <p><b>Cost.</b> Pick: one {@link ThreadLocal} read, one plain increment, one modulo and an
 * array read; no shared write. Rebuild: O(N) copy and a new thread-local, so each thread starts
 * afresh at a random index on a new snapshot. A thread-local entry lives in each picking
 * thread's map until its picker is collected.
 *
 * <p><b>Example.</b> Servers [A, B, C]; thread 1 starts at 2, thread 2 at 0: thread 1 picks C, A,
 * B, C...; thread 2 picks A, B, C, A...
 *
 * <p><b>Threading.</b> Lock-free and write-free across threads.
 */
final class PerThreadRoundRobin implements Algorithm {

  static final PerThreadRoundRobin INSTANCE = new PerThreadRoundRobin();

  private PerThreadRoundRobin() {}

  @Override
  public String name() {
    return "per-thread-round-robin";
  }

  @Override
  public boolean rebuildsOnWeightChange() {
    return false;
  }

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    return new PerThreadPicker(endpoints.toArray(new Endpoint[0]), context);
  }

  @Override
  public String toString() {
    return name();
  }

  private static final class PerThreadPicker implements Picker {
    private final Endpoint[] endpoints;
    private final AlgorithmContext context;
    /** Each thread's next index, as a one-element array: incremented without a second lookup. */
    private final ThreadLocal<int[]> next;

    PerThreadPicker(Endpoint[] endpoints, AlgorithmContext context) {
      this.endpoints = endpoints;
      this.context = context;
      RandomSource random = context.random();
      int n = endpoints.length;
      this.next = ThreadLocal.withInitial(() -> new int[] {random.nextInt(n)});
    }

    @Override
    public Selection pick(PickContext ctx) {
      int n = endpoints.length;
      int[] counter = next.get();
      int i = counter[0];
      counter[0] = i + 1 == n ? 0 : i + 1;
      Endpoint e = endpoints[i];
      if (!ctx.hasAvoid()) {
        return e.selection();
      }
      for (int k = 1; k < n && ctx.avoids(e.server()); k++) {
        e = endpoints[(i + k) % n];
      }
      if (ctx.avoids(e.server())) {
        throw context.noServerAvailable(ctx, null);
      }
      return e.selection();
    }

    @Override
    public String toString() {
      return "PerThreadRoundRobinPicker" + List.of(endpoints);
    }
  }
}
