package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import java.util.List;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam, "Consistent Hashing
 * with Bounded Loads", SODA 2018, arXiv 1608.01350, 2016): a key goes to its ring server unless
 * that server already carries more than its fair share of in-flight requests, in which case it
 * walks on around the ring to the first server under the cap.
 *
 * <p><b>Source.</b> The paper's algorithm, as Vimeo and HAProxy ({@code hash-balance-factor})
 * deploy it, on the virtual-node ring of {@link RingHash}. The cap of server i at admission is
 * {@code ceil((1 + ε) × (T + 1) × w_i / W)}, where T is the total in flight over the snapshot's
 * servers and the {@code + 1} counts the request being placed; with equal weights this is the
 * paper's {@code ceil((1 + ε) × average)}. Admission is atomic: {@link Endpoint#tryTrack(int)}
 * increments a server's in-flight count only while it stays at or below the cap, so concurrent
 * picks cannot push a server past it.
 *
 * <p><b>Why the walk does not cascade.</b> Each server owns many ring points, so the servers
 * following a hot server's points are many different ones; keys overflowing from it spread over
 * them instead of all landing on one neighbour. Some server is always under the cap: the in-flight
 * counts sum to T, so some server i has fewer than {@code (T + 1) × w_i / W}, hence at most its
 * cap minus one.
 *
 * <p><b>Cost.</b> Pick: one xxHash64 of the key, an O(N) sum of in-flight counters (read again
 * on a retry), a binary search, then one {@code tryTrack} per server visited; the walk is short
 * unless most servers are at their cap. One {@link dev.lbkit.api.Selection} allocated per pick by
 * {@code tryTrack}. Rebuild: the ring's O(R log R). A weight change rebuilds.
 *
 * <p><b>Invariants.</b> No admission makes a server's in-flight count exceed its cap as computed
 * for that pick. With low load every key goes to its ring server, so the mapping is the ring's.
 * When a pick finds every server that is not avoided at its cap, even after re-reading the total
 * once (only possible under heavy races, or with an avoid set), it throws the explained {@link
 * dev.lbkit.api.NoAvailableServerException} rather than break the bound.
 *
 * <p><b>Example.</b> Four equal servers, ε = 0.25, 7 in flight: A 4, B 1, C 1, D 1. The cap is
 * {@code ceil(1.25 × 8 / 4) = 3}. A key hashing to A walks on, since A would go to 5; the next
 * point belongs to C, at 1, so C takes it and goes to 2.
 */
final class BoundedLoadHash implements Algorithm {

  private final double epsilon;
  private final int virtualNodesPerServer;
  private final int maxRingSize;

  BoundedLoadHash(double epsilon, int virtualNodesPerServer, int maxRingSize) {
    this.epsilon = epsilon;
    this.virtualNodesPerServer = virtualNodesPerServer;
    this.maxRingSize = maxRingSize;
  }

  @Override
  public String name() {
    return "bounded-load-hash";
  }

  /** The last ring built, from which the next list change is applied incrementally. */
  private volatile RingHash.Ring last;

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    RingHash.Ring ring = RingHash.Ring.build(endpoints, virtualNodesPerServer, maxRingSize, last);
    last = ring;
    return new BoundedPicker(ring, epsilon, context);
  }

  @Override
  public String toString() {
    return "bounded-load-hash{epsilon=" + epsilon + ", virtualNodesPerServer="
        + virtualNodesPerServer + ", maxRingSize=" + maxRingSize + "}";
  }

  static final class BoundedPicker implements Picker {
    private final RingHash.Ring ring;
    private final double[] shares; // w_i / W, in ring server order
    private final double factor;
    private final AlgorithmContext context;

    BoundedPicker(RingHash.Ring ring, double epsilon, AlgorithmContext context) {
      this.ring = ring;
      this.context = context;
      this.factor = 1.0 + epsilon;
      Endpoint[] eps = ring.endpoints;
      double total = 0;
      for (Endpoint e : eps) {
        total += e.effectiveWeight();
      }
      this.shares = new double[eps.length];
      for (int i = 0; i < eps.length; i++) {
        shares[i] = eps[i].effectiveWeight() / total;
      }
    }

    /** The cap of server {@code i} when {@code total} requests are in flight. */
    int cap(int i, long total) {
      return (int) Math.min(Integer.MAX_VALUE, (long) Math.ceil(factor * (total + 1) * shares[i]));
    }

    /** The ring's servers, in the order {@link #cap} indexes them. */
    Endpoint[] ringEndpoints() {
      return ring.endpoints;
    }

    long totalInFlight() {
      long total = 0;
      for (Endpoint e : ring.endpoints) {
        total += e.inFlight();
      }
      return total;
    }

    @Override
    public Selection pick(PickContext ctx) {
      long hash = HashKeys.keyHash(ctx, context);
      int start = ring.ceiling(hash);
      int size = ring.points.length;
      long total = 0;
      for (int round = 0; round < 2; round++) {
        total = totalInFlight();
        int previous = -1;
        for (int step = 0; step < size; step++) {
          int owner = ring.owner((start + step) % size);
          if (owner == previous) {
            continue;
          }
          previous = owner;
          Endpoint e = ring.endpoints[owner];
          if (ctx.hasAvoid() && ctx.avoids(e.server())) {
            continue;
          }
          Selection s = e.tryTrack(cap(owner, total));
          if (s != null) {
            return s;
          }
        }
      }
      throw context.noServerAvailable(
          ctx, "bounded load: every server at its cap of (1 + epsilon) x its share of "
              + (total + 1) + " in flight");
    }

    @Override
    public String toString() {
      return "BoundedLoadHashPicker{" + ring.points.length + " points, " + ring.endpoints.length
          + " servers}";
    }
  }
}
