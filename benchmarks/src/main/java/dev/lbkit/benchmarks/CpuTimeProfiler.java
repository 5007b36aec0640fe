package dev.lbkit.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports {@code cpu.time.norm}: the CPU time the benchmark's worker threads
 * used per operation, in nanoseconds.
 *
 * <p><b>Why.</b> JMH's scores are wall-clock time. On a machine shared with other busy
 * processes, a benchmark thread is preempted for whole time slices, and every score grows with
 * the machine's load, by a different factor for each benchmark run at a different moment. CPU
 * time excludes the slices spent waiting for a core, so the ratio of a pick to the baseline stays
 * meaningful. It still includes what the operation really costs: cache misses, contention on a
 * shared counter, the JMH loop itself.
 *
 * <p>The time is read from {@link ThreadMXBean#getThreadCpuTime} for every live thread whose
 * name contains {@code jmh-worker}, before and after each iteration, and divided by all the
 * operations of the iteration (including the ramp-up and ramp-down of synchronised iterations,
 * whose CPU time is counted too).
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar PickBenchmark -prof dev.lbkit.benchmarks.CpuTimeProfiler
 * }</pre>
 */
public final class CpuTimeProfiler implements InternalProfiler {

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> before = new HashMap<>();

  @Override
  public String getDescription() {
    return "CPU time of the benchmark threads per operation (excludes time preempted by other processes)";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    before.clear();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().contains("jmh-worker")) {
        before.put(t.getId(), Math.max(0L, threads.getThreadCpuTime(t.getId())));
      }
    }
  }

  @Override
  public Collection<? extends Result<?>> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long cpu = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().contains("jmh-worker")) {
        long now = threads.getThreadCpuTime(t.getId());
        if (now > 0) {
          cpu += now - before.getOrDefault(t.getId(), 0L);
        }
      }
    }
    long ops = result.getMetadata().getAllOps();
    if (ops <= 0 || cpu <= 0) {
      return List.of();
    }
    return List.of(new ScalarResult("cpu.time.norm", (double) cpu / ops, "ns/op", AggregationPolicy.AVG));
  }
}
