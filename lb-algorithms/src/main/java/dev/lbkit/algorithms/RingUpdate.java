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
 * <p><b>Cost.</b> O(R + d log d) for R points and d points dropped from or added to servers that
 * stay or join; the result equals a full build's (same packed values, same order), which {@code
 * RingHashTest} checks for removals, additions and weight changes.
 *
 * <p><b>When it declines.</b> It returns null, and the caller builds afresh, when no server stays,
 * when more than half the servers are new, or when the points to drop and add outnumber half the
 * new ring (the cap moved a power of two, or most weights changed a lot): a full build is then
 * about as cheap.
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
    int[] kept = new int[n]; // points server i keeps from the previous ring; 0 if it joined
    int survivors = 0;
    long dropped = 0; // points of the previous ring left out, of servers gone or trimmed
    long trimmed = 0; // of those, points of servers that stay
    for (int o = 0; o < remap.length; o++) {
      Integer i = index.get(previous.endpoints[o].server().id());
      if (i == null) {
        remap[o] = -1;
        dropped += previous.counts[o];
      } else {
        remap[o] = i;
        kept[i] = Math.min(previous.counts[o], counts[i]);
        trimmed += previous.counts[o] - kept[i];
        survivors++;
      }
    }
    dropped += trimmed;
    long size = 0;
    long added = 0;
    for (int i = 0; i < n; i++) {
      size += counts[i];
      added += counts[i] - kept[i];
    }
    if (survivors == 0 || 2L * (n - survivors) > n || 2 * (trimmed + added) > size) {
      return null;
    }
    long mask = previous.mask;
    long[] trim = trimmedPoints(previous, remap, counts, (int) trimmed);
    long[] fresh = new long[(int) added];
    int f = 0;
    for (int i = 0; i < n; i++) {
      f = RingHash.Ring.addPoints(fresh, f, sorted[i], kept[i], counts[i], i, mask);
    }
    Arrays.sort(fresh);
    // One pass over the previous ring: drop, re-index and merge the fresh points in. The next
    // point to trim and the next fresh one sit in locals; Long.MAX_VALUE, which no point equals
    // (its index bits would name server 2^24 - 1), stands for "none left".
    long[] points = new long[(int) size];
    // The new bucket table is the previous one shifted by the points dropped and added before
    // each bucket, when both rings have as many buckets: counted on the rare points that change,
    // not computed for every point.
    int bits = RingHash.Ring.bucketBits(points.length);
    int[] shifts = bits == previous.bucketBits ? new int[previous.buckets.length] : null;
    int k = 0;
    int t = 0;
    f = 0;
    long nextTrim = trim.length > 0 ? trim[0] : Long.MAX_VALUE;
    long nextFresh = fresh.length > 0 ? fresh[0] : Long.MAX_VALUE;
    for (long p : previous.points) {
      int i = remap[(int) (p & mask)];
      if (i < 0 || p == nextTrim) { // gone, or past its server's new count (trim is sorted)
        if (i >= 0) {
          nextTrim = ++t < trim.length ? trim[t] : Long.MAX_VALUE;
        }
        if (shifts != null) {
          shifts[RingHash.Ring.bucket(p, bits) + 1]--;
        }
        continue;
      }
      long q = (p & ~mask) | i;
      while (nextFresh < q) {
        points[k++] = nextFresh;
        nextFresh = ++f < fresh.length ? fresh[f] : Long.MAX_VALUE;
      }
      points[k++] = q;
    }
    System.arraycopy(fresh, f, points, k, fresh.length - f);
    if (shifts == null) {
      return new RingHash.Ring(sorted, points, mask, counts);
    }
    for (long p : fresh) {
      shifts[RingHash.Ring.bucket(p, bits) + 1]++;
    }
    int[] table = new int[shifts.length];
    int shift = 0;
    for (int b = 0; b < table.length; b++) {
      shift += shifts[b];
      table[b] = previous.buckets[b] + shift;
    }
    return new RingHash.Ring(sorted, points, mask, counts, table);
  }

  /**
   * The previous ring's points, as packed there, that servers which stay no longer have: numbers
   * {@code counts[i] + 1} to their previous count; sorted.
   */
  private static long[] trimmedPoints(RingHash.Ring previous, int[] remap, int[] counts, int size) {
    long[] trim = new long[size];
    int k = 0;
    for (int o = 0; o < remap.length; o++) {
      int i = remap[o];
      if (i >= 0 && previous.counts[o] > counts[i]) {
        k = RingHash.Ring.addPoints(trim, k, previous.endpoints[o], counts[i], previous.counts[o],
            o, previous.mask);
      }
    }
    Arrays.sort(trim);
    return trim;
  }
}
