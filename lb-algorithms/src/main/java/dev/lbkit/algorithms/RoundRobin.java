package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import java.util.List;

/**
 * Round robin: each pick takes the next server in list order.
 *
 * <p><b>Source.</b> The classic algorithm (seed §3.3). Each new snapshot starts at a random
 * index, as grpc-java's {@code RoundRobinLoadBalancer} does since PR #4462: restarting at server
 * 0 on every rebuild sent the first servers 3–4× their share during deploys.
 *
 * <p><b>Cost.</b> Pick: one atomic increment and an array read, O(1), one 24-byte untracked
 * selection. Rebuild: O(N) to copy the list (repeated to 64 positions when shorter).
 *
 * <p><b>Invariant.</b> Within one snapshot and without avoided servers, k×N consecutive picks give
 * every server exactly k picks.
 *
 * <p><b>The counter never wraps</b> ({@link Rotation}): it is reduced once per rotation, modulo
 * its length, so it stays below twice that. The rotation is the list, or for fewer than {@link
 * Rotation#MIN_POSITIONS} servers the list repeated to at least that many positions, which gives
 * the same order and reduces less often. A counter that ran freely would wrap after 2^32 picks
 * (72 minutes at a million picks a second), and unless N divided 2^32 the wrap would repeat one
 * server and skip another.
 *
 * <p><b>Example.</b> Servers [A, B, C], random start 1: B, C, A, B, C, A, ...
 *
 * <p><b>Threading.</b> Lock-free; the counter is the only shared mutable state.
 *
 * <p><b>Why one shared counter.</b> Under two or more picking threads, one {@code getAndAdd} on a
 * contended cache line costs several times an uncontended one (tens of nanoseconds instead of a
 * few). Striped per-thread counters would remove that cost but break the exact invariant above:
 * each stripe cycles on its own, so k×N picks no longer give every server exactly k, and a stripe
 * used by one busy thread herds onto one server at a time. A pick is followed by a network call
 * that costs at least tens of microseconds, so the contended increment stays below 0.1% of a
 * request; the exact share is worth more. {@link Algorithms#perThreadRoundRobin()} is the variant
 * for those who prefer the scaling. The benchmarks module measures both costs.
 */
final class RoundRobin implements Algorithm {

  static final RoundRobin INSTANCE = new RoundRobin();

  private RoundRobin() {}

  @Override
  public String name() {
    return "round-robin";
  }

  @Override
  public boolean rebuildsOnWeightChange() {
    return false;
  }

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    return new RoundRobinPicker(
        endpoints.toArray(new Endpoint[0]), context, context.random().nextInt(endpoints.size()));
  }

  @Override
  public String toString() {
    return name();
  }

  static final class RoundRobinPicker extends Rotation implements Picker {
    /**
     * The rotation's positions: the servers in list order, repeated to at least {@link
     * Rotation#MIN_POSITIONS}; position p holds server p mod N.
     */
    private final Endpoint[] positions;
    private final Endpoint[] endpoints;
    private final AlgorithmContext context;

    /** A picker whose first pick is {@code endpoints[start mod N]}. */
    RoundRobinPicker(Endpoint[] endpoints, AlgorithmContext context, long start) {
      super((int) Math.floorMod(start, (long) endpoints.length));
      this.positions = repeated(endpoints);
      this.endpoints = endpoints;
      this.context = context;
    }

    @Override
    public Selection pick(PickContext ctx) {
      Endpoint[] positions = this.positions;
      int length = positions.length;
      int i = nextPosition(length);
      Endpoint e = positions[i];
      if (!ctx.hasAvoid()) {
        return e.selection();
      }
      // N consecutive positions hold every server once.
      for (int k = 0; k < endpoints.length; k++) {
        e = positions[(i + k) % length];
        if (!ctx.avoids(e.server())) {
          return e.selection();
        }
      }
      throw context.noServerAvailable(ctx, null);
    }

    @Override
    public String toString() {
      return "RoundRobinPicker" + List.of(endpoints);
    }
  }
}
