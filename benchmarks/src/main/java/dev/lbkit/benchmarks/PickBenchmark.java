package dev.lbkit.benchmarks;

import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.endpoint.EndpointSelector;
import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * Per-request cost of every registered algorithm through the {@link LoadBalancer} runtime, at N =
 * 3, 100 and 10,000 servers, next to gRPC-java's {@code round_robin} picker and Armeria's
 * round-robin endpoint selector measured in the same run, and the floor of one {@link
 * AtomicLong#getAndIncrement()}.
 *
 * <p><b>What one operation is.</b>
 *
 * <ul>
 *   <li>{@code pick1Thread}, every algorithm: a pick and its report, as an application runs them:
 *       {@code Selection s = lb.pick(ctx); s.complete(1 ms, SUCCESS)}. Unkeyed algorithms pick
 *       with {@code PickContext.EMPTY}; hash-based ones with {@code PickContext.ofKey(key)} built
 *       inside the operation, the key the next of 1,024 precomputed strings {@code "user-" + i}
 *       (a per-thread cursor), so the key's xxHash64 is part of the cost.
 *   <li>{@code roundRobinPickOnly1Thread}: {@code lb.pick(PickContext.EMPTY)} on round robin,
 *       without the report.
 *   <li>{@code leastResponseTimeCoarseClock1Thread}: pick and report on least response time P2C
 *       built with {@code coarseClock(true)}, which reads no {@code System.nanoTime()} per request.
 *   <li>{@code smoothWeightedRoundRobinEdf1Thread}: pick and report on smooth weighted round robin
 *       with weights drawn from [1, 10^6], beyond the precomputed cycle: the earliest-deadline-first
 *       heap, O(log N). (With weights 1, 2, 3, ... the {@code pick1Thread} row at N = 10,000 is
 *       EDF too: N × W is over the cycle's precompute bound.)
 *   <li>{@code grpcRoundRobin1Thread}: {@code picker.pickSubchannel(args)} on gRPC-java's {@code
 *       round_robin} picker over N ready subchannels ({@link GrpcRoundRobin}).
 *   <li>{@code armeriaRoundRobin1Thread}: {@code selector.selectNow(ctx)} on Armeria's
 *       round-robin selector over a static group of N endpoints ({@link ArmeriaRoundRobin}).
 *   <li>{@code atomicLong1Thread}: one {@code AtomicLong.getAndIncrement()}, the floor.
 *   <li>{@code onceOnlyFloor1Thread}: the counter, one 16-byte object and one compare-and-set on
 *       it: the least a round robin costs whose every pick can be reported once, as {@link
 *       Selection}'s contract asks (only the first report counts; {@link OnceOnly}).
 *   <li>{@code twoChoicesFloor1Thread}: the least a power-of-two-choices pick and its report cost
 *       under the same contract, over 100 servers ({@link TwoChoicesFloor}): one random {@code
 *       long} split into two distinct indices, two in-flight reads, the winner's in-flight
 *       increment, the 16-byte claim and its CAS, and the decrement. No server list to snapshot,
 *       no weights, no report's bookkeeping.
 *   <li>The {@code 2Threads} variants: two threads sharing one balancer, picker, selector or
 *       counter, N = 100: round robin (one shared counter, exact rotation), per-thread round robin
 *       (a counter per thread) and gRPC's {@code round_robin} (one shared counter).
 * </ul>
 *
 * Servers have weights 1, 2, 3, 1, 2, 3, ... (so smooth weighted round robin's cycle stays
 * small, and weighted algorithms have weights to read). Neither peer reports an outcome: their
 * round-robin pickers take none, so their rows are a pick alone.
 *
 * <p><b>Run</b> (from the repository root): {@code benchmarks/run.sh pick}, which builds the jar,
 * runs every registered algorithm with {@code -prof gc} and {@link CpuTimeProfiler}, and prints
 * the Markdown tables with each row's ratio to the gRPC pick at the same N; or plain JMH, after
 * {@code mvn -q -B -pl benchmarks -am package -DskipTests}:
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar PickBenchmark -f 1 -wi 3 -w 1s -i 10 -r 500ms \
 *     -prof gc -prof dev.lbkit.benchmarks.CpuTimeProfiler \
 *     -p algorithm=$(java -cp benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.BenchAlgorithms)
 * }</pre>
 *
 * {@code -prof gc} adds {@code gc.alloc.rate.norm}, the bytes allocated per operation; {@link
 * CpuTimeProfiler} adds {@code cpu.time.norm}, the CPU time per operation, which a busy machine
 * does not inflate. Targets, as ratios to gRPC's {@code round_robin} pick on one thread: round
 * robin, random and weighted random at most 1.5×, P2C 2.5×, least response time P2C 4×, smooth
 * weighted round robin 2×, Maglev and ring hash (key built inside) 3×; per-thread round robin on
 * two threads at most gRPC's on two threads. {@link JmhReport} states each row against them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PickBenchmark {

  /** Precomputed hash keys; a power of two so the cursor wraps with a mask. */
  static final int KEYS = 1024;

  private static final String[] KEY_STRINGS = new String[KEYS];

  static {
    for (int i = 0; i < KEYS; i++) {
      KEY_STRINGS[i] = "user-" + i;
    }
  }

  /** The latency every pick reports: 1 ms, a typical loopback-to-LAN call. */
  static final long REPORTED_LATENCY_NANOS = 1_000_000L;

  /** The server weights, a name from {@link BenchServers#WEIGHTS}. */
  static final String WEIGHTS = "1-to-3";

  /** The floor: one shared counter. */
  @State(Scope.Benchmark)
  public static class Counter {
    final AtomicLong value = new AtomicLong();
  }

  /** One balancer per algorithm and size, shared by the benchmark's threads. */
  @State(Scope.Benchmark)
  public static class Balancer {
    /** A name from {@link BenchAlgorithms}. */
    @Param({"round-robin"})
    public String algorithm;

    /** Number of servers. */
    @Param({"3", "100", "10000"})
    public int servers;

    /**
     * {@code system}: the runtime's default clock, {@code System.nanoTime()}, read once per
     * latency sample. {@code frozen}: a clock that always returns 0, to show what the clock read
     * costs on a machine where it is slow (virtual machines); not a setting for production.
     */
    @Param({"system"})
    public String ticker;

    LoadBalancer lb;
    boolean hashed;

    /** Builds the balancer. */
    @Setup(Level.Trial)
    public void setUp() {
      BenchAlgorithms.Entry entry = BenchAlgorithms.byName(algorithm);
      hashed = entry.keys() == BenchAlgorithms.Keys.HASHED;
      Ticker clock;
      switch (ticker) {
        case "system":
          clock = Ticker.SYSTEM;
          break;
        case "frozen":
          clock = () -> 0L;
          break;
        default:
          throw new IllegalArgumentException("ticker must be one of [system, frozen], was '" + ticker + "'");
      }
      lb = LoadBalancer.builder("bench").algorithm(entry.create()).servers(BenchServers.servers(servers, WEIGHTS))
          .ticker(clock).build();
    }

    /** Closes the balancer. */
    @TearDown(Level.Trial)
    public void tearDown() {
      lb.close();
    }

    Selection pickAndReport(Cursor cursor) {
      PickContext context = hashed ? PickContext.ofKey(KEY_STRINGS[cursor.next++ & (KEYS - 1)]) : PickContext.EMPTY;
      Selection s = lb.pick(context);
      s.complete(REPORTED_LATENCY_NANOS, Outcome.SUCCESS);
      return s;
    }
  }

  /**
   * Least response time P2C (Peak EWMA, the default estimate) with {@code coarseClock(true)}: the
   * pick and the report read the shared coarse clock instead of {@code System.nanoTime()}.
   */
  @State(Scope.Benchmark)
  public static class CoarseClockBalancer {
    /** Number of servers. */
    @Param({"3", "100", "10000"})
    public int servers;

    LoadBalancer lb;

    /** Builds the balancer. */
    @Setup(Level.Trial)
    public void setUp() {
      lb = LoadBalancer.builder("bench").algorithm(Algorithms.leastResponseTime().choices(2).build())
          .servers(BenchServers.servers(servers, WEIGHTS)).coarseClock(true).build();
    }

    /** Closes the balancer, which stops the coarse clock's thread. */
    @TearDown(Level.Trial)
    public void tearDown() {
      lb.close();
    }
  }

  /**
   * Smooth weighted round robin with weights drawn from [1, 10^6]: the reduced sum is far over the
   * precomputed cycle's 2^16, so every pick goes through the earliest-deadline-first heap.
   */
  @State(Scope.Benchmark)
  public static class EdfBalancer {
    /** Number of servers. */
    @Param({"3", "100", "10000"})
    public int servers;

    LoadBalancer lb;

    /** Builds the balancer. */
    @Setup(Level.Trial)
    public void setUp() {
      lb = BenchServers.balancer(Algorithms.smoothWeightedRoundRobin(), BenchServers.servers(servers, "up-to-1e6"));
    }

    /** Closes the balancer. */
    @TearDown(Level.Trial)
    public void tearDown() {
      lb.close();
    }
  }

  /** Round robin alone, for the pick without its report. */
  @State(Scope.Benchmark)
  public static class RoundRobinBalancer {
    /** Number of servers. */
    @Param({"3", "100", "10000"})
    public int servers;

    LoadBalancer lb;

    /** Builds the balancer. */
    @Setup(Level.Trial)
    public void setUp() {
      lb = BenchServers.balancer(Algorithms.roundRobin(), BenchServers.servers(servers, WEIGHTS));
    }

    /** Closes the balancer. */
    @TearDown(Level.Trial)
    public void tearDown() {
      lb.close();
    }
  }

  /** The balancer two threads share: exact round robin, or per-thread round robin. */
  @State(Scope.Benchmark)
  public static class ContendedBalancer {
    /** A name from {@link BenchAlgorithms}; named apart from {@code algorithm} so that runs of every algorithm skip it. */
    @Param({"round-robin", "per-thread-round-robin"})
    public String contendedAlgorithm;

    /** Number of servers. */
    @Param({"100"})
    public int servers;

    LoadBalancer lb;

    /** Builds the balancer. */
    @Setup(Level.Trial)
    public void setUp() {
      lb = BenchServers.balancer(BenchAlgorithms.byName(contendedAlgorithm).create(), BenchServers.servers(servers, WEIGHTS));
    }

    /** Closes the balancer. */
    @TearDown(Level.Trial)
    public void tearDown() {
      lb.close();
    }
  }

  /** gRPC-java's {@code round_robin} picker over N ready fake subchannels. */
  @State(Scope.Benchmark)
  public static class GrpcPicker {
    /** Number of servers. */
    @Param({"3", "100", "10000"})
    public int servers;

    GrpcRoundRobin.Ready ready;
    io.grpc.LoadBalancer.PickSubchannelArgs args;

    /** Builds the policy and marks every subchannel ready. */
    @Setup(Level.Trial)
    public void setUp() {
      ready = GrpcRoundRobin.ready(servers);
      args = GrpcRoundRobin.pickArgs();
    }

    /** Shuts the policy down. */
    @TearDown(Level.Trial)
    public void tearDown() {
      ready.policy().shutdown();
    }
  }

  /** The gRPC picker two threads share, N = 100. */
  @State(Scope.Benchmark)
  public static class ContendedGrpcPicker {
    /** Number of servers. */
    @Param({"100"})
    public int servers;

    GrpcRoundRobin.Ready ready;
    io.grpc.LoadBalancer.PickSubchannelArgs args;

    /** Builds the policy and marks every subchannel ready. */
    @Setup(Level.Trial)
    public void setUp() {
      ready = GrpcRoundRobin.ready(servers);
      args = GrpcRoundRobin.pickArgs();
    }

    /** Shuts the policy down. */
    @TearDown(Level.Trial)
    public void tearDown() {
      ready.policy().shutdown();
    }
  }

  /** Armeria's round-robin selector over N static endpoints. */
  @State(Scope.Benchmark)
  public static class ArmeriaSelector {
    /** Number of servers. */
    @Param({"3", "100", "10000"})
    public int servers;

    EndpointSelector selector;

    /** Builds the selector. */
    @Setup(Level.Trial)
    public void setUp() {
      selector = ArmeriaRoundRobin.selector(servers);
    }
  }

  /** Each thread's position in the key array. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  /** Floor, one thread: one {@code AtomicLong.getAndIncrement()}. */
  @Benchmark
  @Threads(1)
  public long atomicLong1Thread(Counter c) {
    return c.value.getAndIncrement();
  }

  /**
   * Floor of a round robin whose report counts once, one thread: the shared counter, then what
   * {@link Selection}'s contract needs per pick at least, one 16-byte object holding one
   * reference and one compare-and-set on it (the report's claim). No server list, no report's
   * bookkeeping.
   */
  @Benchmark
  @Threads(1)
  public Object onceOnlyFloor1Thread(Counter c) {
    OnceOnly pick = new OnceOnly(c.value.getAndIncrement() >= 0 ? c : null);
    pick.claim();
    return pick;
  }

  /** A pick's claim: 16 bytes (a header and one compressed reference), claimed by one CAS. */
  static final class OnceOnly {
    private static final VarHandle OWNER;

    static {
      try {
        OWNER = MethodHandles.lookup().findVarHandle(OnceOnly.class, "owner", Object.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    /** Written plainly and ordered before publication, as lbkit's selections do; CASed once. */
    private Object owner;

    OnceOnly(Object owner) {
      this.owner = owner;
      VarHandle.storeStoreFence();
    }

    /** Whether this caller is the first to claim the pick. */
    boolean claim() {
      Object o = OWNER.getAcquire(this);
      return o != null && OWNER.compareAndSet(this, o, null);
    }
  }

  /** Floor of a power-of-two-choices pick and report: 100 in-flight counters. */
  @State(Scope.Benchmark)
  public static class TwoChoicesFloor {
    private static final VarHandle COUNT;

    static {
      try {
        COUNT = MethodHandles.lookup().findVarHandle(InFlight.class, "count", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    /** One server's in-flight count, an object of its own as each server's statistics are. */
    static final class InFlight {
      volatile int count;
    }

    final InFlight[] servers = new InFlight[100];

    /** Creates the counters. */
    @Setup(Level.Trial)
    public void setUp() {
      for (int i = 0; i < servers.length; i++) {
        servers[i] = new InFlight();
      }
    }

    Object pickAndReport() {
      int n = servers.length;
      long r = java.util.concurrent.ThreadLocalRandom.current().nextLong();
      int a = (int) (((r >>> 32) * n) >>> 32);
      int b = (int) (((r & 0xFFFFFFFFL) * (n - 1)) >>> 32);
      b = b >= a ? b + 1 : b; // distinct from a, uniform over the others
      InFlight winner = servers[b].count < servers[a].count ? servers[b] : servers[a];
      COUNT.getAndAdd(winner, 1);
      OnceOnly pick = new OnceOnly(winner);
      if (pick.claim()) {
        COUNT.getAndAdd(winner, -1);
      }
      return pick;
    }
  }

  /**
   * Floor of a power-of-two-choices pick whose report counts once and releases the in-flight
   * count, one thread: see {@link TwoChoicesFloor}.
   */
  @Benchmark
  @Threads(1)
  public Object twoChoicesFloor1Thread(TwoChoicesFloor f) {
    return f.pickAndReport();
  }

  /** Floor, two threads incrementing the same counter. */
  @Benchmark
  @Threads(2)
  public long atomicLong2Threads(Counter c) {
    return c.value.getAndIncrement();
  }

  /** gRPC-java's {@code round_robin}: one {@code pickSubchannel}, one thread. */
  @Benchmark
  @Threads(1)
  public io.grpc.LoadBalancer.PickResult grpcRoundRobin1Thread(GrpcPicker g) {
    return g.ready.picker().pickSubchannel(g.args);
  }

  /** gRPC-java's {@code round_robin}: one {@code pickSubchannel} on each of two threads sharing the picker. */
  @Benchmark
  @Threads(2)
  public io.grpc.LoadBalancer.PickResult grpcRoundRobin2Threads(ContendedGrpcPicker g) {
    return g.ready.picker().pickSubchannel(g.args);
  }

  /** Armeria's round-robin selector: one {@code selectNow}, one thread. */
  @Benchmark
  @Threads(1)
  public Endpoint armeriaRoundRobin1Thread(ArmeriaSelector a) {
    return a.selector.selectNow(ArmeriaRoundRobin.NO_CONTEXT);
  }

  /** lbkit round robin: one pick without its report, one thread. */
  @Benchmark
  @Threads(1)
  public Selection roundRobinPickOnly1Thread(RoundRobinBalancer b) {
    return b.lb.pick(PickContext.EMPTY);
  }

  /** One pick and its report, one thread. */
  @Benchmark
  @Threads(1)
  public Selection pick1Thread(Balancer b, Cursor c) {
    return b.pickAndReport(c);
  }

  /** Least response time P2C on the coarse clock: one pick and its report, one thread. */
  @Benchmark
  @Threads(1)
  public Selection leastResponseTimeCoarseClock1Thread(CoarseClockBalancer b) {
    Selection s = b.lb.pick(PickContext.EMPTY);
    s.complete(REPORTED_LATENCY_NANOS, Outcome.SUCCESS);
    return s;
  }

  /** Smooth weighted round robin through its EDF heap (weights up to 10^6): one pick and its report, one thread. */
  @Benchmark
  @Threads(1)
  public Selection smoothWeightedRoundRobinEdf1Thread(EdfBalancer b) {
    Selection s = b.lb.pick(PickContext.EMPTY);
    s.complete(REPORTED_LATENCY_NANOS, Outcome.SUCCESS);
    return s;
  }

  /** One pick and its report on each of two threads sharing the balancer. */
  @Benchmark
  @Threads(2)
  public Selection pick2Threads(ContendedBalancer b) {
    Selection s = b.lb.pick(PickContext.EMPTY);
    s.complete(REPORTED_LATENCY_NANOS, Outcome.SUCCESS);
    return s;
  }
}
