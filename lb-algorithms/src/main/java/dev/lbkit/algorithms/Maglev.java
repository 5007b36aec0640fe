package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maglev hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer",
 * NSDI 2016, §3.4): a lookup table of prime size M in which every server owns close to its share
 * of slots, filled from per-server permutations so that a change moves few keys.
 *
 * <p><b>Source.</b> The paper's population algorithm (Pseudocode 1): server i has {@code offset =
 * h1(id) mod M} and {@code skip = h2(id) mod (M - 1) + 1}, and its preference list is {@code
 * (offset + j × skip) mod M}; servers take turns claiming their next free preferred slot. Weights
 * follow Envoy's {@code MaglevTable}: in turn t, server i claims a slot only when {@code t × w_i ≥
 * its claims so far × w_max}, so claims are proportional to weight. h1 and h2 are xxHash64 of the
 * id with seeds 0 and 1. Servers are ordered by id before the build, so the table does not depend
 * on the order of the server list.
 *
 * <p><b>Cost.</b> Pick: one xxHash64 of the key and one array read, O(1), one 24-byte selection. Rebuild:
 * O(M log M) expected for equal weights (the coupon-collector tail of the permutations), up to
 * O(M × N) turns when one weight dwarfs the others; memory 4 bytes per slot (256 KiB at the
 * default M = 65,537). A weight change rebuilds.
 *
 * <p><b>Invariants.</b> Every slot is owned. With equal weights each server owns {@code floor(M /
 * N)} or {@code ceil(M / N)} slots, so max/mean ≤ 1 + N / M (1.007 at N = 1,000 with the default
 * M; {@code MaglevTest} asserts it at N = 10, 100 and 1,000). Keep M ≥ 100 × N, as the paper
 * advises (see below for N > M). Removing one of N servers moves its own keys plus a small
 * excess, because the freed slots change the turns of the others: measured by {@code
 * MaglevTest#removalMovesLittleMoreThanTheRemovedShare}: at most 0.6% of all slots beyond the
 * removed server's own for N ≤ 64 and M = 65,537 (the paper's evaluation reports a similar small
 * disruption); the test asserts 1%. The same key maps to the same server
 * while the set is unchanged.
 *
 * <p><b>Example</b> (the paper's Table 1, M = 7): B0 has offset 3, skip 4 (preferences 3 0 4 1 5
 * 2 6), B1 offset 0, skip 2 (0 2 4 6 1 3 5), B2 offset 3, skip 1 (3 4 5 6 0 1 2). Turns fill slot
 * 3 with B0, 0 with B1, 4 with B2, then 1 with B0, 2 with B1, 5 with B2, and 6 with B0: the table
 * is B1 B0 B1 B0 B2 B2 B0.
 *
 * <p><b>More servers than slots.</b> With N > M some servers would own no slot and get no
 * traffic at all. A static server list larger than M is therefore rejected when the balancer is
 * built ({@link #validate}). A list that arrives later (from a source or {@code updateServers})
 * must not fail, so the picker builds a table of the smallest prime ≥ N instead, and the first
 * such growth is logged at WARN. That choice is the least memory that gives every server a slot;
 * it is a safety net, not a good setting: every server claims a slot in the first turn, so with
 * M = N weights are ignored entirely, and with M a little above N a server owns 1 or 2 slots
 * (max/mean up to 2). A table of 100 × N would balance well but could cost far more memory than
 * the user chose. When the list shrinks back to M or fewer servers, the configured M is used
 * again.
 *
 * <p><b>Avoid set and no key.</b> An avoided server's slots are skipped: the pick walks on to the
 * following slots, which belong to pseudo-random other servers. A pick without a key uses a random
 * hash.
 */
final class Maglev implements Algorithm {

  private static final Logger log = LoggerFactory.getLogger(Maglev.class);

  private final int tableSize;
  // One warning per algorithm instance, which may serve several balancers.
  private final AtomicBoolean growthLogged = new AtomicBoolean();

  Maglev(int tableSize) {
    this.tableSize = tableSize;
  }

  @Override
  public String name() {
    return "maglev";
  }

  /** Rejects a static list with more servers than the table has slots. */
  @Override
  public void validate(int serverCount) {
    if (serverCount > tableSize) {
      throw new IllegalArgumentException(
          "tableSize must be at least the number of servers (" + serverCount + "), was " + tableSize);
    }
  }

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    Endpoint[] sorted = HashKeys.sortedById(endpoints);
    int n = sorted.length;
    int m = tableSizeFor(n, context);
    long[] offsets = new long[n];
    long[] skips = new long[n];
    double[] weights = new double[n];
    for (int i = 0; i < n; i++) {
      offsets[i] = Long.remainderUnsigned(HashKeys.serverHash(sorted[i], 0), m);
      skips[i] = Long.remainderUnsigned(HashKeys.serverHash(sorted[i], 1), m - 1) + 1;
      weights[i] = sorted[i].effectiveWeight();
    }
    return new MaglevPicker(sorted, populate(offsets, skips, weights, m), context);
  }

  /** The configured size, or the smallest prime ≥ n when n servers would not fit it. */
  private int tableSizeFor(int n, AlgorithmContext context) {
    if (n <= tableSize) {
      return tableSize;
    }
    int m = nextPrime(n);
    if (growthLogged.compareAndSet(false, true)) {
      log.warn("{}: maglev: {} servers do not fit the table of {} slots; using {} slots, the next prime."
              + " Every server gets keys, but shares follow weights poorly until tableSize is about"
              + " 100 x the servers", context.cluster(), n, tableSize, m);
    } else {
      log.debug("{}: maglev: using {} slots for {} servers", context.cluster(), m, n);
    }
    return m;
  }

  /** The smallest prime ≥ {@code n}, for n ≥ 2. */
  static int nextPrime(int n) {
    int candidate = n;
    while (!Algorithms.isPrime(candidate)) {
      candidate++;
    }
    return candidate;
  }

  /** The paper's population loop with Envoy's weighting; every slot gets an owner. */
  static int[] populate(long[] offsets, long[] skips, double[] weights, int m) {
    int n = offsets.length;
    int[] table = new int[m];
    Arrays.fill(table, -1);
    long[] next = new long[n];
    double[] claimed = new double[n];
    double max = 0;
    for (double w : weights) {
      max = Math.max(max, w);
    }
    int filled = 0;
    // The heaviest server claims a slot in every turn, so at most m turns run.
    for (long turn = 1; filled < m; turn++) {
      for (int i = 0; i < n && filled < m; i++) {
        if (turn * weights[i] < claimed[i]) {
          continue;
        }
        claimed[i] += max;
        int c = (int) ((offsets[i] + next[i] * skips[i]) % m);
        while (table[c] >= 0) {
          next[i]++;
          c = (int) ((offsets[i] + next[i] * skips[i]) % m);
        }
        table[c] = i;
        next[i]++;
        filled++;
      }
    }
    return table;
  }

  @Override
  public String toString() {
    return "maglev{tableSize=" + tableSize + "}";
  }

  static final class MaglevPicker implements Picker {
    private final Endpoint[] endpoints;
    private final int[] table;
    private final AlgorithmContext context;

    MaglevPicker(Endpoint[] endpoints, int[] table, AlgorithmContext context) {
      this.endpoints = endpoints;
      this.table = table;
      this.context = context;
    }

    /** The slot owners in server-id order; for balance measurements. */
    int[] table() {
      return table;
    }

    Endpoint[] endpoints() {
      return endpoints;
    }

    @Override
    public Selection pick(PickContext ctx) {
      int m = table.length;
      int slot = Hashing.index(HashKeys.keyHash(ctx, context), m);
      if (!ctx.hasAvoid()) {
        return endpoints[table[slot]].selection();
      }
      for (int step = 0; step < m; step++) {
        Endpoint e = endpoints[table[(slot + step) % m]];
        if (!ctx.avoids(e.server())) {
          return e.selection();
        }
      }
      throw context.noServerAvailable(ctx, null);
    }

    @Override
    public String toString() {
      return "MaglevPicker{" + table.length + " slots, " + endpoints.length + " servers}";
    }
  }
}
