package dev.lbkit.algorithms;

import dev.lbkit.api.Endpoint;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Applies a server-list change to a hash ring without rebuilding it: the points of servers that
 * stay are kept in order and re-indexed, the points of servers that left are dropped, and the
 * sorted points of servers that joined are merged in.
 *
 * <p><b>Why.</b> A list change is a deploy step or a DNS refresh, and every client process pays
 * it for every cluster. A full build hashes and sorts every point: at 1,000 servers and 2,048
 * points each, two million points and hundreds of milliseconds. A point's position depends only on
 * its server's id and its number, so the points of a server whose point count is unchanged are
 * the same in both rings; only re-indexing and one merge are needed.
 *
 * <p><b>Cost.</b> O(R + k log k) for R points and k new ones; the result equals a full build's
 * (same packed values, same order), which {@code RingHashTest} checks.
 *
 * <p><b>When it declines.</b> It returns null, and the caller builds afresh, when a server that
 * stays would change its point count (weights changed, or the cap moved a power of two), or when
 * more than half the servers are new.
 */
final class RingUpdate {

  private RingUpdate() {}

  /** The ring of {@code sorted} with {@code counts} points each, from {@code previous}; or null. */
  static RingHash.Ring apply(RingHash.Ring previous, Endpoint[] sorted, int[] counts) {
    int n = sorted.length;
    Map<String, Integer> index = new HashMap<>((int) (n / 0.75f) + 1);
    for (int i = 0; i < n; i++) {
      index.put(sorted[i].server().id(), i);
    }
    int[] remap = new int[previous.endpoints.length];
    boolean[] stays = new boolean[n];
    int survivors = 0;
    int removedPoints = 0;
    for (int o = 0; o < remap.length; o++) {
      Integer i = index.get(previous.endpoints[o].server().id());
      if (i == null) {
        remap[o] = -1;
        removedPoints += previous.counts[o];
      } else if (previous.counts[o] != counts[i]) {
        return null;
      } else {
        remap[o] = i;
        stays[i] = true;
        survivors++;
      }
    }
    if (survivors == 0 || 2L * (n - survivors) > n) {
      return null;
    }
    long mask = previous.mask;
    long[] kept = new long[previous.points.length - removedPoints];
    int k = 0;
    for (long p : previous.points) {
      int i = remap[(int) (p & mask)];
      if (i >= 0) {
        kept[k++] = (p & ~mask) | i;
      }
    }
    long[] fresh = freshPoints(sorted, counts, stays, mask);
    return new RingHash.Ring(sorted, merge(kept, fresh), mask, counts);
  }

  private static long[] freshPoints(Endpoint[] sorted, int[] counts, boolean[] stays, long mask) {
    int size = 0;
    for (int i = 0; i < sorted.length; i++) {
      size += stays[i] ? 0 : counts[i];
    }
    long[] fresh = new long[size];
    int k = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (!stays[i]) {
        k = RingHash.Ring.addPoints(fresh, k, sorted[i], counts[i], i, mask);
      }
    }
    Arrays.sort(fresh);
    return fresh;
  }

  private static long[] merge(long[] a, long[] b) {
    if (b.length == 0) {
      return a;
    }
    long[] out = new long[a.length + b.length];
    int i = 0;
    int j = 0;
    int k = 0;
    while (i < a.length && j < b.length) {
      out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
    }
    System.arraycopy(a, i, out, k, a.length - i);
    System.arraycopy(b, j, out, k + a.length - i, b.length - j);
    return out;
  }
}
