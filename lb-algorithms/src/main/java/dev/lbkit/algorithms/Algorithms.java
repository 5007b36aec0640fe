package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.PickContext;

/**
 * The balancing algorithms that ship with lbkit. Each method returns an immutable {@link
 * Algorithm} to hand to {@link LoadBalancerBuilder#algorithm}, or a builder for one when the
 * algorithm has parameters; implementations are package-private.
 *
 * <p>Every algorithm picks only among the servers the runtime hands it (the pickable ones of a
 * tier and zone), honours {@link PickContext#avoids}, never returns null and throws the runtime's
 * explained {@link dev.lbkit.api.NoAvailableServerException} when nothing may be picked. Picks are
 * lock-free. Each allocates one selection per pick, so that only its first report counts: 16
 * bytes (one reference), for the algorithms that track nothing and for those that count in-flight
 * requests (least connections, weighted least connections, power of d choices, least response
 * time, bounded-load hashing) alike. Smooth weighted round robin guards the rare picks it cannot
 * serve from its precomputed cycle with a short critical section (see its class comment).
 *
 * <p><b>Which one.</b> {@link #roundRobin()} for equal servers; {@link #smoothWeightedRoundRobin()}
 * or {@link #weightedRandom()} for static capacities; {@link #powerOfTwoChoices()} as the robust
 * default for uneven request costs; {@link #leastResponseTime()} when servers differ in speed;
 * {@link #maglev()} for stickiness (caches, sessions), {@link #rendezvous()} for stickiness on
 * small clusters, {@link #boundedLoadHash()} for stickiness that must not overload a server with
 * hot keys.
 *
 * <p><b>"IP hash" and "header hash"</b> are consistent hashing with that value as the key: put the
 * end user's address (as the caller knows it, for example from {@code X-Forwarded-For}, never the
 * local address) or the header's value in {@link PickContext#ofKey(String)} and use any of the
 * hashing algorithms.
 */
public final class Algorithms {

  /** The largest ring accepted, as Envoy caps {@code maximum_ring_size}: 8M points, 64 MiB. */
  public static final int MAX_RING_SIZE = 8 * 1024 * 1024;

  /**
   * The cap on ring points by default: 2^21 points, 16 MiB. Up to 1,024 servers the ring keeps
   * 2,048 points per server (its balance target); beyond, a server gets the largest power of two
   * of points that fits, so 10,000 servers hold 128 each (10 MiB). A ring per cluster per client
   * process must stay small: Envoy's cap of 8M points costs 64 MiB per ring.
   */
  public static final int DEFAULT_MAX_RING_SIZE = 1 << 21;

  /**
   * Points per server on the ring by default: keeps the busiest server's share of the hash space
   * within 1.10 × the mean for up to 100 equal servers (1,024 does not: 1.102 at 55 servers; see
   * the table in the ring-hash docs), while a ring for 100 servers takes 1.6 MiB.
   */
  public static final int DEFAULT_VIRTUAL_NODES_PER_SERVER = 2048;

  /**
   * The Maglev table size by default: the paper's small table, a prime, 256 KiB, and max/mean
   * below 1.02 for up to 1,000 equal servers.
   */
  public static final int DEFAULT_MAGLEV_TABLE_SIZE = 65_537;

  /** The largest Maglev table accepted: the largest prime below 2^24 (64 MiB of slots). */
  public static final int MAX_MAGLEV_TABLE_SIZE = 16_777_213;

  /**
   * The default ε of bounded-load hashing: a server may carry 25% over the mean. The paper's
   * experiments and Vimeo's deployment found 0.25 keeps most keys on their ring server while
   * still bounding hot spots; smaller ε moves more keys, larger ε allows more imbalance.
   */
  public static final double DEFAULT_BOUNDED_LOAD_EPSILON = 0.25;

  /** The largest ε accepted: beyond it the bound no longer protects anything. */
  public static final double MAX_BOUNDED_LOAD_EPSILON = 100.0;

  /** The default number of random choices: two gives almost all of the gain (Mitzenmacher). */
  public static final int DEFAULT_CHOICES = 2;

  /**
   * The largest number of random choices: each pick rejects duplicate draws by replaying them,
   * O(d²), and beyond a few choices a full scan ({@link #leastConnections()}) is as cheap.
   */
  public static final int MAX_CHOICES = 32;

  private Algorithms() {}

  /** Which latency estimate least response time uses. */
  public enum LatencyEstimate {
    /**
     * Finagle's Peak EWMA: a slower sample raises the estimate at once, faster ones lower it
     * gradually. Reacts within one response when a server turns slow. The default.
     */
    PEAK_EWMA,
    /** The plain time-decayed EWMA: smoother, slower to react to a server turning slow. */
    EWMA
  }

  /**
   * Round robin, starting each snapshot at a random index; ignores weights. Lock-free, one
   * 24-byte selection per pick; k×N picks give every server exactly k.
   */
  public static Algorithm roundRobin() {
    return RoundRobin.INSTANCE;
  }

  /**
   * Round robin on a counter per thread, from a random start: no cache line is shared between
   * picking cores, so picks scale with threads. Gives up exact global rotation; see {@link
   * #roundRobin()} for the exact default and the class comment of the implementation for the
   * trade-off. Allocation: one 24-byte selection per pick, as round robin.
   */
  public static Algorithm perThreadRoundRobin() {
    return PerThreadRoundRobin.INSTANCE;
  }

  /**
   * nginx's smooth weighted round robin: exact shares over every cycle of sum(weights)/gcd
   * picks, spread out rather than in blocks ({a:5, b:1, c:1} gives a a b a c a a). Lock-free O(1)
   * picks from a precomputed cycle while the reduced sum of weights is at most 2^16; beyond it,
   * and while slow start makes weights fractional, Envoy's earliest deadline first, O(log N) per
   * pick under a short critical section, with the same shares but a less even order. One 24-byte
   * selection per pick.
   */
  public static Algorithm smoothWeightedRoundRobin() {
    return SmoothWeightedRoundRobin.INSTANCE;
  }

  /** Uniform random; ignores weights. O(1), stateless, one 24-byte selection per pick. */
  public static Algorithm random() {
    return UniformRandom.INSTANCE;
  }

  /** Random in proportion to effective weight, by an alias table: O(1), one 24-byte selection per pick. */
  public static Algorithm weightedRandom() {
    return WeightedRandom.INSTANCE;
  }

  /**
   * Fewest in-flight requests, ties broken at random; configured weights are ignored, but a
   * slow-start multiplier scales the score to {@code (in-flight + 1) / multiplier}. O(N) per
   * pick; allocates one selection per pick to count the request.
   */
  public static Algorithm leastConnections() {
    return LeastConnections.UNWEIGHTED;
  }

  /**
   * Lowest {@code (in-flight + 1) / effective weight}, ties broken at random; weights read live,
   * so slow start acts at once. O(N) per pick; allocates one selection per pick.
   */
  public static Algorithm weightedLeastConnections() {
    return LeastConnections.WEIGHTED;
  }

  /**
   * Returns a builder for power of d choices: d distinct random servers (default 2), the lowest
   * {@code (in-flight + 1) / effective weight} wins.
   */
  public static PowerOfChoicesBuilder powerOfTwoChoices() {
    return new PowerOfChoicesBuilder();
  }

  /**
   * Returns a builder for least response time: the lowest {@code latency estimate × (in-flight +
   * 1)} wins, over every server (default) or over d random ones.
   *
   * <p>The full scan is the default because it beat the P2C variant in every fleet-simulator
   * scenario (a slow server at 200 × 20 and 1,000 × 100, equal servers at 90%, a recovery in a
   * cluster of three); {@code choices(2)} is for clusters too large to scan per request. Fleets of
   * hundreds of clients should lengthen {@code LoadBalancerBuilder.ewmaDecay} to 60 s, so that each
   * client remembers a slow server long enough; small clusters keep the 10 s default, which lets a
   * recovered server back within seconds. The README's "Which algorithm when" has the figures.
   */
  public static LeastResponseTimeBuilder leastResponseTime() {
    return new LeastResponseTimeBuilder();
  }

  /** Returns a builder for ring hash with virtual nodes, honouring weights. */
  public static RingHashBuilder ringHash() {
    return new RingHashBuilder();
  }

  /**
   * Returns a builder for Maglev hashing: O(1) picks from a prime-sized table. A table smaller
   * than a static server list fails the balancer's build; one outgrown by a later list grows to
   * the next prime at or above the server count.
   */
  public static MaglevBuilder maglev() {
    return new MaglevBuilder();
  }

  /**
   * Returns a builder for consistent hashing with bounded loads: the ring server unless it is
   * above {@code ceil((1 + ε) ×} its share of the in-flight requests{@code )}.
   */
  public static BoundedLoadHashBuilder boundedLoadHash() {
    return new BoundedLoadHashBuilder();
  }

  /**
   * Weighted rendezvous (highest random weight) hashing: O(N) per pick, exact weighted shares,
   * and removing a server moves only its keys.
   */
  public static Algorithm rendezvous() {
    return Rendezvous.INSTANCE;
  }

  /** Builds the power-of-d-choices algorithm. Not thread-safe. */
  public static final class PowerOfChoicesBuilder {
    private int choices = DEFAULT_CHOICES;

    private PowerOfChoicesBuilder() {}

    /**
     * The number of distinct servers compared per pick, in [2, {@value Algorithms#MAX_CHOICES}];
     * default {@value Algorithms#DEFAULT_CHOICES}. With as many servers as choices or fewer, every server is
     * compared.
     */
    public PowerOfChoicesBuilder choices(int choices) {
      this.choices = choices;
      return this;
    }

    /**
     * Builds the algorithm.
     *
     * @throws IllegalArgumentException when the choice count is out of range
     */
    public Algorithm build() {
      checkChoices(choices);
      return new PowerOfTwoChoices(choices);
    }
  }

  /** Builds the least-response-time algorithm. Not thread-safe. */
  public static final class LeastResponseTimeBuilder {
    private LatencyEstimate estimate = LatencyEstimate.PEAK_EWMA;
    private int choices; // 0: full scan
    /** Whether choices(int) set {@link #choices}: then it is checked, and 0 is no full scan. */
    private boolean choicesSet;

    private LeastResponseTimeBuilder() {}

    /** The latency estimate; default {@link LatencyEstimate#PEAK_EWMA}. */
    public LeastResponseTimeBuilder estimate(LatencyEstimate estimate) {
      if (estimate == null) {
        throw new IllegalArgumentException("estimate must not be null, was null");
      }
      this.estimate = estimate;
      return this;
    }

    /** Compares every server at each pick: the default. */
    public LeastResponseTimeBuilder fullScan() {
      this.choices = 0;
      this.choicesSet = false;
      return this;
    }

    /**
     * Compares {@code choices} distinct random servers per pick (the P2C variant with 2, as
     * Finagle's {@code P2CPeakEwma}), in [2, {@value Algorithms#MAX_CHOICES}].
     */
    public LeastResponseTimeBuilder choices(int choices) {
      this.choices = choices;
      this.choicesSet = true;
      return this;
    }

    /**
     * Builds the algorithm.
     *
     * @throws IllegalArgumentException when the choice count is out of range
     */
    public Algorithm build() {
      if (choicesSet) {
        checkChoices(choices);
      }
      return new LeastResponseTime(estimate == LatencyEstimate.PEAK_EWMA, choices);
    }
  }

  /** Builds the ring-hash algorithm. Not thread-safe. */
  public static final class RingHashBuilder {
    private int virtualNodesPerServer = DEFAULT_VIRTUAL_NODES_PER_SERVER;
    private int maxRingSize = DEFAULT_MAX_RING_SIZE;

    private RingHashBuilder() {}

    /**
     * Ring points per server of average weight, in [1, {@value Algorithms#MAX_RING_SIZE}];
     * default {@value Algorithms#DEFAULT_VIRTUAL_NODES_PER_SERVER}. The ring has {@code min(N × this, maxRingSize)} points,
     * shared in proportion to weight, at least one per server (so up to N over the cap).
     */
    public RingHashBuilder virtualNodesPerServer(int points) {
      this.virtualNodesPerServer = points;
      return this;
    }

    /**
     * The cap on ring points, in [1, {@value Algorithms#MAX_RING_SIZE}]; default {@value
     * Algorithms#DEFAULT_MAX_RING_SIZE}.
     */
    public RingHashBuilder maxRingSize(int points) {
      this.maxRingSize = points;
      return this;
    }

    /**
     * Builds the algorithm.
     *
     * @throws IllegalArgumentException when a size is out of range
     */
    public Algorithm build() {
      checkRing(virtualNodesPerServer, maxRingSize);
      return new RingHash(virtualNodesPerServer, maxRingSize);
    }
  }

  /** Builds the Maglev algorithm. Not thread-safe. */
  public static final class MaglevBuilder {
    private int tableSize = DEFAULT_MAGLEV_TABLE_SIZE;

    private MaglevBuilder() {}

    /**
     * The lookup table size: a prime in [3, {@value Algorithms#MAX_MAGLEV_TABLE_SIZE}], default
     * {@value Algorithms#DEFAULT_MAGLEV_TABLE_SIZE}. Choose it at least 100 × the number of servers; max/mean is
     * about {@code 1 + N / tableSize}.
     *
     * <p>It must hold every server: a balancer built with a static list of more servers fails
     * to build. When a later list (from a source or {@code updateServers}) brings more servers
     * than slots, the table grows to the smallest prime ≥ the server count, with a warning
     * logged once, so that every server still gets keys; see the Maglev class comment for why
     * that size and what it costs in balance.
     */
    public MaglevBuilder tableSize(int tableSize) {
      this.tableSize = tableSize;
      return this;
    }

    /**
     * Builds the algorithm.
     *
     * @throws IllegalArgumentException when the table size is out of range or not prime
     */
    public Algorithm build() {
      if (tableSize < 3 || tableSize > MAX_MAGLEV_TABLE_SIZE) {
        throw new IllegalArgumentException(
            "tableSize must be in [3, " + MAX_MAGLEV_TABLE_SIZE + "], was " + tableSize);
      }
      if (!isPrime(tableSize)) {
        throw new IllegalArgumentException("tableSize must be prime, was " + tableSize);
      }
      return new Maglev(tableSize);
    }
  }

  /** Builds the bounded-load consistent-hashing algorithm. Not thread-safe. */
  public static final class BoundedLoadHashBuilder {
    private double epsilon = DEFAULT_BOUNDED_LOAD_EPSILON;
    private int virtualNodesPerServer = DEFAULT_VIRTUAL_NODES_PER_SERVER;
    private int maxRingSize = DEFAULT_MAX_RING_SIZE;

    private BoundedLoadHashBuilder() {}

    /**
     * How far over its share a server may go, in (0, {@value Algorithms#MAX_BOUNDED_LOAD_EPSILON}];
     * default {@value Algorithms#DEFAULT_BOUNDED_LOAD_EPSILON}.
     */
    public BoundedLoadHashBuilder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /** Ring points per server; see {@link RingHashBuilder#virtualNodesPerServer}. */
    public BoundedLoadHashBuilder virtualNodesPerServer(int points) {
      this.virtualNodesPerServer = points;
      return this;
    }

    /** The cap on ring points; see {@link RingHashBuilder#maxRingSize}. */
    public BoundedLoadHashBuilder maxRingSize(int points) {
      this.maxRingSize = points;
      return this;
    }

    /**
     * Builds the algorithm.
     *
     * @throws IllegalArgumentException when ε or a size is out of range
     */
    public Algorithm build() {
      if (!(epsilon > 0 && epsilon <= MAX_BOUNDED_LOAD_EPSILON)) {
        throw new IllegalArgumentException(
            "epsilon must be in (0, " + MAX_BOUNDED_LOAD_EPSILON + "], was " + epsilon);
      }
      checkRing(virtualNodesPerServer, maxRingSize);
      return new BoundedLoadHash(epsilon, virtualNodesPerServer, maxRingSize);
    }
  }

  private static void checkChoices(int choices) {
    if (choices < 2 || choices > MAX_CHOICES) {
      throw new IllegalArgumentException(
          "choices must be in [2, " + MAX_CHOICES + "], was " + choices);
    }
  }

  private static void checkRing(int perServer, int maxRingSize) {
    if (perServer < 1 || perServer > MAX_RING_SIZE) {
      throw new IllegalArgumentException(
          "virtualNodesPerServer must be in [1, " + MAX_RING_SIZE + "], was " + perServer);
    }
    if (maxRingSize < 1 || maxRingSize > MAX_RING_SIZE) {
      throw new IllegalArgumentException(
          "maxRingSize must be in [1, " + MAX_RING_SIZE + "], was " + maxRingSize);
    }
  }

  static boolean isPrime(int n) {
    if (n < 2) {
      return false;
    }
    for (int d = 2; (long) d * d <= n; d++) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }
}
