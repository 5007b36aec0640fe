package dev.lbkit.algorithms;

import dev.lbkit.api.Endpoint;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Applies a server-list or weight change to a hash ring without rebuilding it: the points of
 * servers that left are dropped, a server that stays keeps its points (re-indexed) up to its new
 * count, and the points that servers gained or joined with are hashed, sorted and merged in.
 *
 * <p><b>Why.</b> A list change is a deploy step or a DNS refresh, and every client process pays
 * it for every cluster. A full build hashes and sorts every point: at 1,000 servers and 2,048
 * points each, two million points and over a hundred milliseconds. Point j of a server depends
 * only on its id and j, so a server whose count goes from c to c' shares its first {@code min(c,
 * c')} points with the previous ring. With unequal weights, removing one server changes the total
 * weight, and with it most other servers' counts, but by a point or two each.
 *
 * <p><b>Cost.</b> O(R + d log d) for R points and d points dropped (of servers gone, or past a
 * server's new count) or added. The d points are generated, sorted, and met in one pass over the
 * previous ring, which copies the blocks of points among which nothing changes without a branch
 * per point; memory bandwidth bounds it (at two million points, a 16 MB ring read and a new one
 * written). The result equals a full build's (same packed values, same order), which {@code
 * RingHashTest} checks for removals, additions and weight changes.
 *
 * <p><b>When it declines.</b> It returns null, and the caller builds afresh, when no server stays,
 * when more than half the servers are new, or when the points to drop and add outnumber half the
 * new ring (the cap moved a power of two, or most weights changed a lot): a full build is then
 * about as cheap.
 */
final class RingUpdate {

  /** Points copied at once when no change falls among them. */
  private static final int BLOCK = 64;

  private RingUpdate() {}

  /** The ring of {@code sorted} with {@code counts} points each, from {@code previous}; or null. */
  static RingHash.Ring apply(RingHash.Ring previous, Endpoint[] sorted, int[] counts) {
    int n = sorted.length;
    Map<String, Integer> index = new HashMap<>((int) (n / 0.75f) + 1);
    for (int i = 0; i < n; i++) {
      index.put(sorted[i].server().id(), i);
    }
    int[] remap = new int[previous.endpoints.length];
    int[] kept = new int[n]; // points server i keeps from the previous ring; 0 if it joined
    int survivors = 0;
    long dropped = 0; // points of the previous ring left out: of servers gone, or past a new count
    for (int o = 0; o < remap.length; o++) {
      Integer i = index.get(previous.endpoints[o].server().id());
      if (i == null) {
        remap[o] = -1;
        dropped += previous.counts[o];
      } else {
        remap[o] = i;
        kept[i] = Math.min(previous.counts[o], counts[i]);
        dropped += previous.counts[o] - kept[i];
        survivors++;
      }
    }
    long size = 0;
    long added = 0;
    for (int i = 0; i < n; i++) {
      size += counts[i];
      added += counts[i] - kept[i];
    }
    if (survivors == 0 || 2L * (n - survivors) > n || 2 * (dropped + added) > size) {
      return null;
    }
    long mask = previous.mask;
    Shift shift = Shift.of(remap, n);
    long[] drop = droppedPoints(previous, remap, counts, (int) dropped);
    long[] fresh = new long[(int) added];
    int f = 0;
    for (int i = 0; i < n; i++) {
      f = RingHash.Ring.addPoints(fresh, f, sorted[i], kept[i], counts[i], i, mask);
    }
    Arrays.sort(fresh);
    long[] points = new long[(int) size];
    // The new bucket table is the previous one shifted by the points dropped and added before
    // each bucket, when both rings have as many buckets: counted on the few points that change,
    // not computed for every point.
    int bits = RingHash.Ring.bucketBits(points.length);
    int[] shifts = bits == previous.bucketBits ? new int[previous.buckets.length] : null;
    // One pass over the previous ring: drop, re-index and merge the fresh points in. The next
    // point to drop and the next fresh one sit in locals; Long.MAX_VALUE, which no point equals
    // (its index bits would name server 2^24 - 1), stands for "none left". A block of BLOCK
    // points in which neither falls is copied by a loop without branches; the few blocks that
    // hold a change go point by point.
    long[] old = previous.points;
    int k = 0;
    int d = 0;
    f = 0;
    long nextDrop = drop.length > 0 ? drop[0] : Long.MAX_VALUE;
    long nextFresh = fresh.length > 0 ? fresh[0] : Long.MAX_VALUE;
    int x = 0;
    while (x < old.length) {
      if (x + BLOCK <= old.length) {
        long last = old[x + BLOCK - 1];
        if (nextDrop > last && nextFresh > ((last & ~mask) | remap[(int) (last & mask)])) {
          if (shift == null) {
            copy(old, x, points, k, remap, mask);
          } else {
            shift.copy(old, x, points, k, mask);
          }
          x += BLOCK;
          k += BLOCK;
          continue;
        }
      }
      long p = old[x++];
      if (p == nextDrop) { // a server gone, or a point past its server's new count
        nextDrop = ++d < drop.length ? drop[d] : Long.MAX_VALUE;
        if (shifts != null) {
          shifts[RingHash.Ring.bucket(p, bits) + 1]--;
        }
        continue;
      }
      long q = (p & ~mask) | remap[(int) (p & mask)];
      while (nextFresh < q) {
        points[k++] = nextFresh;
        nextFresh = ++f < fresh.length ? fresh[f] : Long.MAX_VALUE;
      }
      points[k++] = q;
    }
    if (d != drop.length) {
      throw new IllegalStateException("ring update: " + (drop.length - d) + " of " + drop.length
          + " points to drop not found in the previous ring");
    }
    System.arraycopy(fresh, f, points, k, fresh.length - f);
    if (shifts == null) {
      return new RingHash.Ring(sorted, points, mask, counts);
    }
    for (long p : fresh) {
      shifts[RingHash.Ring.bucket(p, bits) + 1]++;
    }
    int[] table = new int[shifts.length];
    int offset = 0;
    for (int b = 0; b < table.length; b++) {
      offset += shifts[b];
      table[b] = previous.buckets[b] + offset;
    }
    return new RingHash.Ring(sorted, points, mask, counts, table);
  }

  /**
   * A re-indexing that one comparison per point computes: every previous index after {@code
   * lastUnmoved} moves by one, up or down. It covers the common changes, one server joining or
   * leaving, or only weights changing; as arithmetic, the copy of a block compiles to vector
   * instructions, where a table lookup per point does not (1.5 to 2 ms of a 10 ms update at two
   * million points, measured by {@code RebuildBenchmark}).
   */
  private static final class Shift {
    private final long lastUnmoved;
    /** 0 to move up, -1 to move down: {@code (moved ^ negate) - negate} is +moved or -moved. */
    private final long negate;

    private Shift(long lastUnmoved, long negate) {
      this.lastUnmoved = lastUnmoved;
      this.negate = negate;
    }

    /** The shift {@code remap} amounts to, for a new list of {@code n}; null when none does. */
    static Shift of(int[] remap, int n) {
      int left = -1;
      int leftCount = 0;
      for (int o = 0; o < remap.length; o++) {
        if (remap[o] < 0) {
          left = o;
          leftCount++;
        }
      }
      int joinedCount = n - (remap.length - leftCount);
      if (leftCount == 0 && joinedCount == 0) {
        return new Shift(Long.MAX_VALUE, 0); // nothing moves
      }
      if (leftCount == 1 && joinedCount == 0) {
        return new Shift(left, -1); // the indexes after the one that left move down
      }
      if (leftCount == 0 && joinedCount == 1) {
        int joined = remap.length; // the new server's index: the first previous one that moved
        for (int o = 0; o < remap.length; o++) {
          if (remap[o] != o) {
            joined = o;
            break;
          }
        }
        return new Shift(joined - 1L, 0);
      }
      return null;
    }

    /** Re-indexes {@link #BLOCK} points of {@code old} from {@code x} into {@code points} at k. */
    void copy(long[] old, int x, long[] points, int k, long mask) {
      for (int j = 0; j < BLOCK; j++) {
        long p = old[x + j];
        long moved = (lastUnmoved - (p & mask)) >>> 63;
        points[k + j] = p + ((moved ^ negate) - negate);
      }
    }
  }

  /** Re-indexes {@link #BLOCK} points of {@code old} from {@code x} into {@code points} at k. */
  private static void copy(long[] old, int x, long[] points, int k, int[] remap, long mask) {
    for (int j = 0; j < BLOCK; j++) {
      long p = old[x + j];
      points[k + j] = (p & ~mask) | remap[(int) (p & mask)];
    }
  }

  /**
   * The previous ring's points, as packed there, that the new one has not: every point of a
   * server gone, and numbers {@code counts[i] + 1} to the previous count of a server that stays;
   * sorted.
   */
  private static long[] droppedPoints(RingHash.Ring previous, int[] remap, int[] counts, int size) {
    long[] drop = new long[size];
    int k = 0;
    for (int o = 0; o < remap.length; o++) {
      int i = remap[o];
      int from = i < 0 ? 0 : counts[i];
      k = RingHash.Ring.addPoints(drop, k, previous.endpoints[o], from, previous.counts[o], o,
          previous.mask);
    }
    Arrays.sort(drop);
    return drop;
  }
}
