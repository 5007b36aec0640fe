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
 * Ring hash (Karger et al., "Consistent Hashing and Random Trees", STOC 1997) with virtual nodes:
 * every server owns several points on a 64-bit ring, and a key goes to the first point at or
 * after its hash.
 *
 * <p><b>Source.</b> Karger et al. 1997; Envoy's {@code RING_HASH} load balancer for the
 * weighting and the ring cap. Each server gets {@code round(target × w_i / W)} points, at least
 * one, where the target is {@code N × virtualNodesPerServer} while that fits {@code maxRingSize}
 * (default 2^21), and beyond it N times the largest power of two at most {@code maxRingSize / N}.
 * Point j of a server is {@code mix64(xxh64(id) + (j + 1) × GOLDEN)}, the SplitMix64 stream
 * seeded with the id's hash, so points depend only on the server id, never on list order or N.
 *
 * <p><b>Cost.</b> Pick: a binary search within one bucket of the ring (the key's hash is computed
 * once per request by {@link PickContext}). A table maps the top bits of a position to the first
 * point at or after them, sized for about 16 points per bucket (at most 2^16 buckets), so a pick
 * reads a few adjacent cache lines instead of making log2 R scattered reads of a ring of R points:
 * O(1) for evenly spread points, O(log R) at worst. Memory 8 bytes per point (40-bit position and
 * 24-bit server index packed in one {@code long}) plus 4 bytes per bucket, at most 256 KiB.
 * Rebuild: a list or weight change is applied incrementally to the
 * previous ring ({@link RingUpdate}, O(R + d log d) for d points dropped or added: a removal with
 * unequal weights changes most servers' counts by a point or two); a full build, O(R log R), only
 * when most of the ring changes.
 *
 * <p><b>Balance</b>: measured share of the hash space (max over servers / mean), equal weights,
 * servers 10.0.x.y:80, default 2,048 points per server; asserted by {@code
 * RingHashTest#defaultRingKeepsDocumentedBalance}.
 *
 * <table>
 *   <caption>Default ring size, memory and balance</caption>
 *   <tr><th>N</th><th>points</th><th>memory</th><th>max/mean</th></tr>
 *   <tr><td>10</td><td>20,480</td><td>160 KiB</td><td>1.032</td></tr>
 *   <tr><td>100</td><td>204,800</td><td>1.6 MiB</td><td>1.076</td></tr>
 *   <tr><td>1,000</td><td>2,048,000</td><td>16 MiB</td><td>1.080</td></tr>
 *   <tr><td>10,000</td><td>1,280,000 (128 each)</td><td>10 MiB</td><td>about 1.4</td></tr>
 * </table>
 *
 * <p>Over every N from 1 to 100 the worst figure is 1.092 (N = 88), which {@code
 * RingHashTest#defaultRingStaysWithinTenPercentUpToHundredServers} asserts. With 1,024 points per
 * server the figures are 1.037, 1.082 and 1.106 and N = 55 reaches 1.102, which is why the
 * default is 2,048.
 * <p>The spread of a server's share shrinks as {@code 1/sqrt(points per server)}, so halving the
 * excess costs four times the memory. Envoy's default of 1,024 points in all gives about 1.9 at
 * 100 servers. Where balance matters most, and for large clusters, use {@link
 * Algorithms#maglev()}: max/mean stays within {@code 1 + N / M} for table size M, at 4 bytes per
 * slot.
 *
 * <p><b>Invariants.</b> The same key maps to the same server while the set and weights are
 * unchanged. Removing a server moves exactly the keys it owned (the other points are unchanged),
 * and adding it back restores the mapping, provided the ring size is not capped and the weights
 * of the others do not change their point counts (with equal weights, the point count per server
 * is fixed).
 *
 * <p><b>Example.</b> Points A: 10, 40; B: 25, 70 (on a ring of 100 for readability). Key hash 30
 * goes to A (40), 50 to B (70), 80 wraps to A (10). Removing B sends 50 to A (10, after wrap) and
 * leaves 30 where it was.
 *
 * <p><b>Avoid set and no key.</b> An avoided server's points are skipped: the key goes to the next
 * point of another server, as if that server were gone. A pick without a key uses a random hash.
 * "IP hash" and "header hash" are this algorithm with the caller's client address or header value
 * as the {@link PickContext} key.
 */
final class RingHash implements Algorithm {

  private final int virtualNodesPerServer;
  private final int maxRingSize;

  RingHash(int virtualNodesPerServer, int maxRingSize) {
    this.virtualNodesPerServer = virtualNodesPerServer;
    this.maxRingSize = maxRingSize;
  }

  @Override
  public String name() {
    return "ring-hash";
  }

  /** The last ring built, from which the next list change is applied incrementally. */
  private volatile Ring last;

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    Ring ring = Ring.build(endpoints, virtualNodesPerServer, maxRingSize, last);
    last = ring;
    return new RingPicker(ring, context);
  }

  @Override
  public String toString() {
    return "ring-hash{virtualNodesPerServer=" + virtualNodesPerServer + ", maxRingSize="
        + maxRingSize + "}";
  }

  /**
   * An immutable ring. Each point is one {@code long}: the high 40 bits are its position on the
   * ring, the low 24 bits the index of its server. Sorting the packed values orders points by
   * position, then by server, so one {@link Arrays#sort(long[])} builds the ring and a point costs
   * 8 bytes.
   */
  static final class Ring {
    private static final int INDEX_BITS = 24;
    /** The most bits of a position the bucket table resolves: 2^16 + 1 ints, 256 KiB. */
    private static final int MAX_BUCKET_BITS = 16;
    /** Points per bucket aimed at: a short binary search within a few cache lines. */
    private static final int POINTS_PER_BUCKET = 16;

    final Endpoint[] endpoints;
    final long[] points;
    final long mask;
    /** Points per server, in {@link #endpoints} order. */
    final int[] counts;
    /** How many top bits of a position pick its bucket. */
    final int bucketBits;
    /**
     * {@code buckets[b]} is the first point whose bucket is at least b, {@code buckets[2^bits]}
     * the number of points: a lookup searches one bucket instead of the whole ring, which at a
     * million points is twenty cache misses.
     */
    final int[] buckets;

    Ring(Endpoint[] endpoints, long[] points, long mask, int[] counts) {
      this(endpoints, points, mask, counts, buckets(points, bucketBits(points.length)));
    }

    /**
     * The ring of {@code points}, sorted, with its bucket table ({@code bucketBits(points.length)}
     * bits) already made: an update derives it from the previous ring's table, where a pass over
     * the points costs about 2 ms of a 10 ms update at two million points.
     */
    Ring(Endpoint[] endpoints, long[] points, long mask, int[] counts, int[] buckets) {
      this.endpoints = endpoints;
      this.points = points;
      this.mask = mask;
      this.counts = counts;
      this.bucketBits = bucketBits(points.length);
      this.buckets = buckets;
    }

    /** Enough bits for about {@value #POINTS_PER_BUCKET} points per bucket, at most {@value #MAX_BUCKET_BITS}. */
    static int bucketBits(int points) {
      int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, points / POINTS_PER_BUCKET));
      return Math.min(MAX_BUCKET_BITS, bits);
    }

    /**
     * The bucket of a position: its top {@code bits} bits once the sign bit is flipped, so that
     * buckets follow the signed order in which the points are sorted.
     */
    static int bucket(long position, int bits) {
      return (int) ((position ^ Long.MIN_VALUE) >>> (64 - bits));
    }

    private static int[] buckets(long[] points, int bits) {
      int count = 1 << bits;
      int[] table = new int[count + 1];
      int k = 0;
      for (int b = 0; b < count; b++) {
        long start = ((long) b << (64 - bits)) ^ Long.MIN_VALUE; // the bucket's first position
        while (k < points.length && points[k] < start) {
          k++;
        }
        table[b] = k;
      }
      table[count] = points.length;
      return table;
    }

    static Ring build(List<Endpoint> list, int perServer, int maxRingSize) {
      return build(list, perServer, maxRingSize, null);
    }

    /**
     * Builds the ring of {@code list}. With a {@code previous} ring, only the points that differ
     * change: those of servers that left or joined, and those a server that stays lost or gained
     * with its new count. The previous ring's other points are kept in order (re-indexed) and the
     * sorted new ones merged in, O(R + d log d) for R points and d changed ones, instead of
     * hashing and sorting all R ({@link RingUpdate}). The result is the same ring a full build
     * gives.
     */
    static Ring build(List<Endpoint> list, int perServer, int maxRingSize, Ring previous) {
      Endpoint[] sorted = HashKeys.sortedById(list);
      int n = sorted.length;
      int[] counts = counts(sorted, perServer, maxRingSize);
      long mask = mask(n);
      if (previous != null && previous.mask == mask) {
        Ring ring = RingUpdate.apply(previous, sorted, counts);
        if (ring != null) {
          return ring;
        }
      }
      long size = 0;
      for (int c : counts) {
        size += c;
      }
      long[] points = new long[(int) size];
      int k = 0;
      for (int i = 0; i < n; i++) {
        k = addPoints(points, k, sorted[i], counts[i], i, mask);
      }
      Arrays.sort(points);
      return new Ring(sorted, points, mask, counts);
    }

    /**
     * Points per server: {@code round(target × w_i / W)}, at least one, where the target is {@code
     * N × perServer} while that fits {@code maxRingSize}, and beyond it N times the largest power
     * of two at most {@code maxRingSize / N}. The power of two keeps a server's point count the
     * same over a wide range of N (a factor of two), so that list changes of a capped ring stay
     * incremental; it costs at most half the cap.
     */
    static int[] counts(Endpoint[] sorted, int perServer, int maxRingSize) {
      int n = sorted.length;
      double total = 0;
      for (Endpoint e : sorted) {
        total += e.effectiveWeight();
      }
      long each = (long) n * perServer <= maxRingSize ? perServer : Math.max(1, Long.highestOneBit(maxRingSize / n));
      double target = (double) n * each;
      int[] counts = new int[n];
      for (int i = 0; i < n; i++) {
        counts[i] = (int) Math.max(1, Math.round(target * sorted[i].effectiveWeight() / total));
      }
      return counts;
    }

    /**
     * The low bits of a point that hold its server's index: 24 bits for up to 2^24 servers, a
     * constant so that a point's position never depends on N and a list change can keep the
     * other servers' points as they are. Positions keep 40 bits, far finer than any key
     * distribution can tell.
     */
    static long mask(int n) {
      int bits = Math.max(INDEX_BITS, 32 - Integer.numberOfLeadingZeros(n - 1));
      return (1L << bits) - 1;
    }

    /** Writes the {@code count} points of {@code e}, as server {@code index}, from {@code k}. */
    static int addPoints(long[] points, int k, Endpoint e, int count, int index, long mask) {
      return addPoints(points, k, e, 0, count, index, mask);
    }

    /**
     * Writes points {@code from + 1} to {@code to} of {@code e}, as server {@code index}, from
     * {@code k}; returns the index after the last one written.
     */
    static int addPoints(long[] points, int k, Endpoint e, int from, int to, int index, long mask) {
      if (from >= to) {
        return k;
      }
      long h = HashKeys.serverHash(e, 0);
      for (int j = from + 1; j <= to; j++) {
        points[k++] = (Hashing.mix64(h + j * Hashing.GOLDEN) & ~mask) | index;
      }
      return k;
    }

    /** The index, in {@link #endpoints}, of the server owning point {@code k}. */
    int owner(int k) {
      return (int) (points[k] & mask);
    }

    /**
     * The first point at or after the key's position, wrapping to 0: a binary search within the
     * position's bucket, whose end is the answer when every point in it lies before the key.
     */
    int ceiling(long keyHash) {
      long position = keyHash & ~mask;
      int b = bucket(position, bucketBits);
      int lo = buckets[b];
      int hi = buckets[b + 1];
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (points[mid] < position) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo == points.length ? 0 : lo;
    }

    /** Each server's share of the hash space, in server-id order; for balance measurements. */
    double[] shares() {
      double[] shares = new double[endpoints.length];
      for (int k = 0; k < points.length; k++) {
        long previous = points[k == 0 ? points.length - 1 : k - 1] & ~mask;
        long arc = (points[k] & ~mask) - previous; // unsigned distance on the ring, wrapping at 2^64
        double length = points.length == 1 ? 0x1.0p64 : unsigned(arc);
        shares[owner(k)] += length * 0x1.0p-64;
      }
      return shares;
    }

    private static double unsigned(long v) {
      return v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
    }
  }

  static final class RingPicker implements Picker {
    private final Ring ring;
    private final AlgorithmContext context;

    RingPicker(Ring ring, AlgorithmContext context) {
      this.ring = ring;
      this.context = context;
    }

    Ring ring() {
      return ring;
    }

    @Override
    public Selection pick(PickContext ctx) {
      long hash = HashKeys.keyHash(ctx, context);
      int k = ring.ceiling(hash);
      if (!ctx.hasAvoid()) {
        return ring.endpoints[ring.owner(k)].selection();
      }
      int size = ring.points.length;
      for (int step = 0; step < size; step++) {
        Endpoint e = ring.endpoints[ring.owner((k + step) % size)];
        if (!ctx.avoids(e.server())) {
          return e.selection();
        }
      }
      throw context.noServerAvailable(ctx, null);
    }

    @Override
    public String toString() {
      return "RingHashPicker{" + ring.points.length + " points, " + ring.endpoints.length
          + " servers}";
    }
  }
}
