package dev.lbkit.benchmarks;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Server;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Rebuild cost at N = 1,000 servers, on one thread: what a server-list or health change costs
 * the control plane.
 *
 * <ul>
 *   <li>{@code newPicker}: the algorithm alone, {@link Algorithm#newPicker} called with the very
 *       endpoints and context the runtime passes (captured from a real balancer). This is the
 *       figure for the Maglev build target (M = 65,537, the registry's default). The registry's
 *       ring hash uses its default 2,048 points per server: 2,048,000 points at N = 1,000.
 *   <li>{@code ringBuild65536}: ring hash {@code newPicker} for a ring of exactly 65,536 points
 *       (1,024 servers × 64 points), the ring-build target.
 *   <li>{@code updateServers}: the whole runtime path, {@link LoadBalancer#updateServers}
 *       alternating between the list and the list without its last server, so every call
 *       publishes a new snapshot.
 *   <li>{@code baselineCopy}: copying the endpoint list into an array, the floor every O(N)
 *       rebuild pays; measured in the same run.
 * </ul>
 *
 * <p>{@code weights=up-to-1e6} draws each weight uniformly from [1, 10⁶] with a fixed seed
 * (smooth WRR's worst case for its arithmetic); {@code equal} gives every server weight 1.
 *
 * <p><b>Run:</b> {@code benchmarks/run.sh rebuild}, or
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar RebuildBenchmark -f 1 -wi 3 -w 1s -i 10 -r 500ms -prof gc \
 *     -p algorithm=$(java -cp benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.BenchAlgorithms)
 * }</pre>
 *
 * Targets (issue 7): Maglev build at N = 1,000 in at most 5 ms; ring build at 65,536 entries
 * in at most 10 ms.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RebuildBenchmark {

  /** The endpoints of N servers, for the copy baseline. */
  @State(Scope.Benchmark)
  public static class Endpoints {
    /** Number of servers. */
    @Param({"1000"})
    public int servers;

    /** {@code equal} or {@code up-to-1e6}. */
    @Param({"equal", "up-to-1e6"})
    public String weights;

    List<Endpoint> endpoints;

    /** Captures the endpoints from a real balancer. */
    @Setup(Level.Trial)
    public void setUp() {
      endpoints = BenchServers.capture(BenchServers.servers(servers, weights)).endpoints();
    }
  }

  /** One algorithm with the captured arguments, and a live balancer to update. */
  @State(Scope.Benchmark)
  public static class Rebuild {
    /** A name from {@link BenchAlgorithms}. */
    @Param({"round-robin"})
    public String algorithm;

    /** Number of servers. */
    @Param({"1000"})
    public int servers;

    /** {@code equal} or {@code up-to-1e6}. */
    @Param({"equal", "up-to-1e6"})
    public String weights;

    Algorithm alg;
    BenchServers.Captured captured;
    LoadBalancer lb;
    List<Server> full;
    List<Server> shorter;
    boolean nextFull;

    /** Builds the algorithm, captures the runtime's arguments and starts a balancer. */
    @Setup(Level.Trial)
    public void setUp() {
      alg = BenchAlgorithms.byName(algorithm).create();
      full = BenchServers.servers(servers, weights);
      shorter = full.subList(0, full.size() - 1);
      captured = BenchServers.capture(full);
      lb = BenchServers.balancer(alg, full);
    }

    /** Closes the balancer. */
    @TearDown(Level.Trial)
    public void tearDown() {
      lb.close();
    }
  }

  /** Ring points in the ring-build target. */
  static final int RING_POINTS = 65_536;

  /** Servers in the ring-build benchmark: 1,024 servers × 64 points each make exactly {@link #RING_POINTS}. */
  static final int RING_SERVERS = 1_024;

  /**
   * Ring hash with a ring of exactly {@value #RING_POINTS} points: {@value #RING_SERVERS}
   * equal-weight servers, {@code virtualNodesPerServer(64)}. The registry's {@code ring-hash}
   * uses the default of 2,048 points per server, 2,048,000 points at N = 1,000.
   */
  @State(Scope.Benchmark)
  public static class Ring65536 {
    Algorithm alg;
    BenchServers.Captured captured;

    /** Builds the algorithm and captures the runtime's arguments. */
    @Setup(Level.Trial)
    public void setUp() {
      alg = Algorithms.ringHash().virtualNodesPerServer(RING_POINTS / RING_SERVERS).build();
      captured = BenchServers.capture(BenchServers.servers(RING_SERVERS, "equal"));
    }
  }

  /** Ring hash {@code newPicker} building a ring of exactly 65,536 points (the ring target). */
  @Benchmark
  public Picker ringBuild65536(Ring65536 r) {
    return r.alg.newPicker(r.captured.endpoints(), r.captured.context());
  }

  /** Baseline: copy N endpoint references into a new array. */
  @Benchmark
  public Endpoint[] baselineCopy(Endpoints e) {
    return e.endpoints.toArray(new Endpoint[0]);
  }

  /** The algorithm's {@code newPicker} over N endpoints. */
  @Benchmark
  public Picker newPicker(Rebuild r) {
    return r.alg.newPicker(r.captured.endpoints(), r.captured.context());
  }

  /** A server-list change through the runtime: diff, snapshot, {@code newPicker}, publish. */
  @Benchmark
  public LoadBalancer updateServers(Rebuild r) {
    r.nextFull = !r.nextFull;
    r.lb.updateServers(r.nextFull ? r.full : r.shorter);
    return r.lb;
  }
}
