package dev.lbkit.algorithms;

import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Helpers shared by the consistent-hashing algorithms. */
final class HashKeys {

  private HashKeys() {}

  /**
   * The hash of the pick's key, computed once per pick; a pick without a key gets a random hash,
   * so keyless requests spread over the servers in proportion to their share of the hash space.
   */
  static long keyHash(PickContext ctx, AlgorithmContext context) {
    String key = ctx.hashKeyOrNull();
    return key == null ? context.random().nextLong() : Hashing.xxh64(key);
  }

  /**
   * The endpoints in server-id order, so that a table built from them does not depend on the
   * order of the server list.
   */
  static Endpoint[] sortedById(List<Endpoint> endpoints) {
    Endpoint[] sorted = endpoints.toArray(new Endpoint[0]);
    Arrays.sort(sorted, Comparator.comparing(e -> e.server().id()));
    return sorted;
  }

  /** xxHash64 of a server id with {@code seed}: the build-time hash of a server. */
  static long serverHash(Endpoint e, long seed) {
    return Hashing.xxh64(e.server().id().getBytes(StandardCharsets.UTF_8), seed);
  }

  /**
   * Sorts {@code keys} ascending (signed order), moving {@code owners} along, and orders equal
   * keys by owner, so the result depends only on the multiset of (key, owner) pairs.
   */
  static void sortPairs(long[] keys, int[] owners) {
    quicksort(keys, owners, 0, keys.length - 1);
  }

  private static void quicksort(long[] k, int[] o, int lo, int hi) {
    while (hi - lo > 16) {
      int mid = (lo + hi) >>> 1;
      long pk = k[mid];
      int po = o[mid];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (less(k[i], o[i], pk, po)) {
          i++;
        }
        while (less(pk, po, k[j], o[j])) {
          j--;
        }
        if (i <= j) {
          swap(k, o, i++, j--);
        }
      }
      // Recurse into the smaller half, loop on the larger: O(log n) stack.
      if (j - lo < hi - i) {
        quicksort(k, o, lo, j);
        lo = i;
      } else {
        quicksort(k, o, i, hi);
        hi = j;
      }
    }
    for (int i = lo + 1; i <= hi; i++) {
      for (int j = i; j > lo && less(k[j], o[j], k[j - 1], o[j - 1]); j--) {
        swap(k, o, j, j - 1);
      }
    }
  }

  private static boolean less(long k1, int o1, long k2, int o2) {
    return k1 < k2 || (k1 == k2 && o1 < o2);
  }

  private static void swap(long[] k, int[] o, int a, int b) {
    long tk = k[a];
    k[a] = k[b];
    k[b] = tk;
    int to = o[a];
    o[a] = o[b];
    o[b] = to;
  }

  /** The index of the first key at or after {@code hash} in sorted {@code keys}, wrapping to 0. */
  static int ceilingIndex(long[] keys, long hash) {
    int lo = 0;
    int hi = keys.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (keys[mid] < hash) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo == keys.length ? 0 : lo;
  }
}
