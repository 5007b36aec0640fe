package dev.lbkit.benchmarks;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
 * What a server-list change costs, at N = 100, 1,000 and 10,000 servers, for every registered
 * algorithm with its defaults (ring hash with its default points per server), next to the
 * runtime's own cost measured in the same run.
 *
 * <p><b>What one operation is.</b> {@code listChange}: {@link LoadBalancer#updateServers} with
 * the current list less one server (drawn at random with a fixed seed), then one pick and its
 * report: the runtime's diff, the new snapshot, the algorithm's {@code newPicker}, the publish,
 * and a first pick on the new picker. The list to apply is built before each operation, outside
 * the measured time. The list so shrinks by one server per operation; once it falls below {@link
 * #SHRINK_LIMIT} of N it is restored to all N servers, also outside the measured time, so every
 * operation removes one server from between 0.9 N and N.
 *
 * <p>{@code floorListChange}: the same change through the runtime with an algorithm that builds
 * nothing (its picker returns the first server), the floor every algorithm's change pays.
 *
 * <p>Servers have weights 1, 2, 3, 1, 2, 3, ... as in {@link PickBenchmark} ({@code -p
 * weights=equal} gives every server weight 1). With unequal weights, removing a server changes the
 * total weight, and with it the share of every server that stays: ring hash and bounded-load hash
 * then rebuild the whole ring instead of updating it, where equal weights keep every point count.
 *
 * <p><b>Run:</b> {@code benchmarks/run.sh rebuild}, which also measures the heap each balancer
 * retains at N = 10,000 ({@link HeapPerServer}), and whose table gives the best iteration of
 * five after warm-up; or
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar RebuildBenchmark -f 1 -wi 3 -w 500ms -i 5 -r 500ms -prof gc \
 *     -p algorithm=$(java -cp benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.BenchAlgorithms)
 * }</pre>
 *
 * An iteration runs at least one operation, however long: ring hash at N = 10,000 builds a ring
 * of up to 8,388,608 points per change (about a second), so its run takes about ten seconds.
 * Targets: at most 10 ms per change at N = 1,000 and 50 ms at N = 10,000, for every algorithm.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RebuildBenchmark {

  /** The shortest list, as a share of N, before the full list is restored. */
  static final double SHRINK_LIMIT = 0.9;

  /** One algorithm's balancer and the next list to apply. */
  @State(Scope.Benchmark)
  public static class Change {
    /** A name from {@link BenchAlgorithms}. */
    @Param({"round-robin"})
    public String algorithm;

    /** Number of servers. */
    @Param({"100", "1000", "10000"})
    public int servers;

    /** The server weights, a name from {@link BenchServers#WEIGHTS}. */
    @Param({PickBenchmark.WEIGHTS})
    public String weights;

    ListChanges changes;

    /** Starts a balancer over all N servers. */
    @Setup(Level.Trial)
    public void setUp() {
      BenchAlgorithms.Entry entry = BenchAlgorithms.byName(algorithm);
      changes = new ListChanges(entry.create(), servers, weights, entry.keys() == BenchAlgorithms.Keys.HASHED);
    }

    /** Builds the list the next operation applies. */
    @Setup(Level.Invocation)
    public void prepare() {
      changes.prepare();
    }

    /** Closes the balancer. */
    @TearDown(Level.Trial)
    public void tearDown() {
      changes.lb.close();
    }
  }

  /** The runtime with an algorithm that builds nothing. */
  @State(Scope.Benchmark)
  public static class FloorChange {
    /** Number of servers. */
    @Param({"100", "1000", "10000"})
    public int servers;

    /** The server weights, a name from {@link BenchServers#WEIGHTS}. */
    @Param({PickBenchmark.WEIGHTS})
    public String weights;

    ListChanges changes;

    /** Starts a balancer over all N servers. */
    @Setup(Level.Trial)
    public void setUp() {
      changes = new ListChanges(new FirstServer(), servers, weights, false);
    }

    /** Builds the list the next operation applies. */
    @Setup(Level.Invocation)
    public void prepare() {
      changes.prepare();
    }

    /** Closes the balancer. */
    @TearDown(Level.Trial)
    public void tearDown() {
      changes.lb.close();
    }
  }

  /** A balancer, its full list, the list it has now and the one to apply next. */
  static final class ListChanges {
    final LoadBalancer lb;
    private final List<Server> full;
    private final PickContext context;
    private final SplittableRandom random = new SplittableRandom(42);
    private List<Server> current;
    private List<Server> next;

    ListChanges(Algorithm algorithm, int n, String weights, boolean hashed) {
      full = BenchServers.servers(n, weights);
      lb = BenchServers.balancer(algorithm, full);
      current = full;
      context = hashed ? PickContext.ofKey("user-0") : PickContext.EMPTY;
    }

    void prepare() {
      if (current.size() - 1 < full.size() * SHRINK_LIMIT) {
        lb.updateServers(full);
        current = full;
      }
      next = new ArrayList<>(current);
      next.remove(random.nextInt(next.size()));
    }

    Selection apply() {
      lb.updateServers(next);
      current = next;
      Selection s = lb.pick(context);
      s.complete(PickBenchmark.REPORTED_LATENCY_NANOS, Outcome.SUCCESS);
      return s;
    }
  }

  /** Builds nothing: every pick returns the first server. The runtime's floor. */
  static final class FirstServer implements Algorithm {
    @Override
    public String name() {
      return "first-server";
    }

    @Override
    public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
      Endpoint first = endpoints.get(0);
      return c -> first.selection();
    }
  }

  /** One server removed through {@code updateServers}, then a pick and its report. */
  @Benchmark
  public Selection listChange(Change c) {
    return c.changes.apply();
  }

  /** The same change with an algorithm that builds nothing. */
  @Benchmark
  public Selection floorListChange(FloorChange f) {
    return f.changes.apply();
  }
}
