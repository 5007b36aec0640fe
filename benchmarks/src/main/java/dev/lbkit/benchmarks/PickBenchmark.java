package dev.lbkit.benchmarks;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Ticker;
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
 * Pick cost of every registered algorithm through the {@link LoadBalancer} runtime, at N = 3,
 * 100 and 10,000 servers, on one thread and on two threads sharing one balancer, next to the
 * baseline of one {@link AtomicLong#getAndIncrement()} measured in the same run.
 *
 * <p><b>What one operation is.</b> {@code lb.pick(context)}, plus {@code selection.complete(1
 * ms, SUCCESS)} when the algorithm counts in-flight requests (found at setup by picking once and
 * reading the in-flight counts): for those algorithms the in-flight release and the latency
 * sample are part of the cost. Algorithms without a hash key pick with {@code
 * PickContext.EMPTY}, as an application would; hash-based ones take the next of 1,024 prebuilt
 * keyed contexts from a per-thread cursor (a load and a store more per operation).
 *
 * <p>{@code pickerOnly1Thread} calls the algorithm's picker directly (built from the endpoints
 * and context the runtime passes), without the runtime's snapshot read: the difference is what
 * {@link LoadBalancer#pick} adds.
 *
 * <p><b>Run</b> (from the repository root): {@code benchmarks/run.sh pick}, which builds the jar,
 * runs every registered algorithm and prints the Markdown table with the ratios; or plain JMH,
 * after {@code mvn -q -B -pl benchmarks -am package -DskipTests}:
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar PickBenchmark -f 1 -wi 3 -w 1s -i 10 -r 500ms \
 *     -prof gc -prof dev.lbkit.benchmarks.CpuTimeProfiler \
 *     -p algorithm=$(java -cp benchmarks/target/benchmarks.jar dev.lbkit.benchmarks.BenchAlgorithms)
 * }</pre>
 *
 * {@code -prof gc} adds {@code gc.alloc.rate.norm}, the bytes allocated per pick; {@link
 * CpuTimeProfiler} adds {@code cpu.time.norm}, the CPU time per pick, which a busy machine does
 * not inflate. Targets (issue
 * 7): round robin at most 2× the baseline on one thread and under 0.1 B/op; P2C with its report
 * at most 3×; flat from N = 3 to 10,000 except full-scan least connections and least response
 * time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PickBenchmark {

  /** Contexts per thread cursor; a power of two so the cursor wraps with a mask. */
  static final int CONTEXTS = 1024;

  /** The latency reported for tracked picks: 1 ms, a typical loopback-to-LAN call. */
  static final long REPORTED_LATENCY_NANOS = 1_000_000L;

  /** The baseline: one shared counter. */
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
    boolean reports;
    boolean hashed;
    final PickContext[] contexts = new PickContext[CONTEXTS];

    /** Builds the balancer and the contexts. */
    @Setup(Level.Trial)
    public void setUp() {
      BenchAlgorithms.Entry entry = BenchAlgorithms.byName(algorithm);
      hashed = entry.keys() == BenchAlgorithms.Keys.HASHED;
      for (int i = 0; i < CONTEXTS; i++) {
        contexts[i] =
            entry.keys() == BenchAlgorithms.Keys.HASHED ? PickContext.ofKey("user-" + i) : PickContext.EMPTY;
      }
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
      lb = LoadBalancer.builder("bench").algorithm(entry.create()).servers(BenchServers.servers(servers, "equal"))
          .ticker(clock).build();
      reports = BenchServers.tracksInFlight(lb, contexts[0]);
    }

    /** Closes the balancer. */
    @TearDown(Level.Trial)
    public void tearDown() {
      lb.close();
    }

    Selection pick(Cursor cursor) {
      Selection s = lb.pick(hashed ? contexts[cursor.next++ & (CONTEXTS - 1)] : PickContext.EMPTY);
      if (reports) {
        s.complete(REPORTED_LATENCY_NANOS, Outcome.SUCCESS);
      }
      return s;
    }
  }

  /**
   * The algorithm's picker alone, built with the endpoints and context the runtime passes, and
   * called without the runtime's snapshot indirection: shows what the runtime adds.
   */
  @State(Scope.Benchmark)
  public static class Direct {
    /** A name from {@link BenchAlgorithms}. */
    @Param({"round-robin"})
    public String algorithm;

    /** Number of servers. */
    @Param({"3", "100", "10000"})
    public int servers;

    Picker picker;
    boolean reports;
    boolean hashed;
    final PickContext[] contexts = new PickContext[CONTEXTS];

    /** Builds the picker and the contexts. */
    @Setup(Level.Trial)
    public void setUp() {
      BenchAlgorithms.Entry entry = BenchAlgorithms.byName(algorithm);
      hashed = entry.keys() == BenchAlgorithms.Keys.HASHED;
      for (int i = 0; i < CONTEXTS; i++) {
        contexts[i] =
            entry.keys() == BenchAlgorithms.Keys.HASHED ? PickContext.ofKey("user-" + i) : PickContext.EMPTY;
      }
      BenchServers.Captured captured = BenchServers.capture(BenchServers.servers(servers, "equal"));
      picker = entry.create().newPicker(captured.endpoints(), captured.context());
      Selection first = picker.pick(contexts[0]);
      int inFlight = 0;
      for (Endpoint e : captured.endpoints()) {
        inFlight += e.inFlight();
      }
      first.complete(REPORTED_LATENCY_NANOS, Outcome.SUCCESS);
      reports = inFlight > 0;
    }

    Selection pick(Cursor cursor) {
      Selection s = picker.pick(hashed ? contexts[cursor.next++ & (CONTEXTS - 1)] : PickContext.EMPTY);
      if (reports) {
        s.complete(REPORTED_LATENCY_NANOS, Outcome.SUCCESS);
      }
      return s;
    }
  }

  /** Each thread's position in the context array. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  /** Baseline, one thread: one {@code AtomicLong.getAndIncrement()}. */
  @Benchmark
  @Threads(1)
  public long baseline1Thread(Counter c) {
    return c.value.getAndIncrement();
  }

  /** Baseline, two threads incrementing the same counter. */
  @Benchmark
  @Threads(2)
  public long baseline2Threads(Counter c) {
    return c.value.getAndIncrement();
  }

  /** One pick (and its report, for tracking algorithms) on one thread. */
  @Benchmark
  @Threads(1)
  public Selection pick1Thread(Balancer b, Cursor c) {
    return b.pick(c);
  }

  /** The algorithm's picker alone, without the runtime, on one thread. */
  @Benchmark
  @Threads(1)
  public Selection pickerOnly1Thread(Direct d, Cursor c) {
    return d.pick(c);
  }

  /** One pick (and its report, for tracking algorithms) on each of two threads sharing the balancer. */
  @Benchmark
  @Threads(2)
  public Selection pick2Threads(Balancer b, Cursor c) {
    return b.pick(c);
  }
}
