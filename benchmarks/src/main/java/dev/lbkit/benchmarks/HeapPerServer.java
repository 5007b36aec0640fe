package dev.lbkit.benchmarks;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Heap retained per server by a {@link LoadBalancer}, for every registered algorithm.
 *
 * <p><b>How it measures.</b> JOL is not a dependency, so this uses the heap itself: build the
 * {@link Server} list, force full collections until used heap stops shrinking, read used heap;
 * build a balancer over that list (one picker built, one pick reported), collect again, read
 * again; five balancers in a row, all kept. Each increment divided by N is what one balancer
 * retains per server beyond the {@code Server} objects the caller already holds: its endpoint,
 * health state, statistics and the picker's share. The Server objects themselves are measured
 * the same way. Each figure is the median of the five increments. Run it alone
 * ({@code benchmarks/run.sh heap}), with the serial collector, so that only this thread
 * allocates:
 *
 * <pre>{@code
 * java -XX:+UseSerialGC -Xmx4g -cp benchmarks/target/benchmarks.jar \
 *     dev.lbkit.benchmarks.HeapPerServer [servers=10000] [algorithms=all]
 * }</pre>
 *
 * At N = 10,000, a fixed overhead of a few kilobytes per balancer adds under one byte per
 * server to the figure. The last column is the same figure for the whole balancer, bytes per
 * server × N, in MB (10⁶ bytes).
 */
public final class HeapPerServer {

  /** Default number of servers: large enough to amortise the balancer's fixed overhead. */
  static final int DEFAULT_SERVERS = 10_000;

  /** Rounds per figure; the median is reported. */
  static final int ROUNDS = 5;

  private HeapPerServer() {}

  /** Runs the measurement; arguments are {@code key=value}: {@code servers}, {@code algorithms}. */
  public static void main(String[] args) {
    int n = DEFAULT_SERVERS;
    String algorithms = "all";
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("arguments must be key=value, was '" + arg + "'");
      }
      switch (kv[0]) {
        case "servers":
          n = Integer.parseInt(kv[1]);
          break;
        case "algorithms":
          algorithms = kv[1];
          break;
        default:
          throw new IllegalArgumentException("argument must be one of [servers, algorithms], was '" + kv[0] + "'");
      }
    }
    System.out.printf(Locale.ROOT, "Heap retained per server, N = %d, median of %d increments%n", n, ROUNDS);
    System.out.printf(Locale.ROOT, "%-46s %14s %18s%n", "what", "bytes/server", "MB per balancer");
    print("Server objects (baseline)", n, measure(n, null));
    for (BenchAlgorithms.Entry e : BenchAlgorithms.select(algorithms)) {
      print("balancer, " + e.name(), n, measure(n, e));
    }
  }

  /** One line: bytes per server, and the whole of it for N servers in MB (10⁶ bytes). */
  private static void print(String what, int n, double bytesPerServer) {
    System.out.printf(Locale.ROOT, "%-46s %14.1f %18.2f%n", what, bytesPerServer, bytesPerServer * n / 1e6);
  }

  /**
   * Bytes per server retained by a balancer (or by a server list when {@code entry} is null).
   * Builds {@link #ROUNDS} of them one after the other, keeping all, and reads used heap after
   * each: every increment is one more object graph, whatever a stale reference to an earlier one
   * keeps alive. The median increment is reported, which also drops the first one's one-time
   * class initialisation.
   */
  private static double measure(int n, BenchAlgorithms.Entry entry) {
    List<Server> servers = BenchServers.servers(n, "equal");
    Object[] kept = new Object[ROUNDS];
    double[] increments = new double[ROUNDS];
    long last = usedAfterGc();
    for (int r = 0; r < ROUNDS; r++) {
      if (entry == null) {
        kept[r] = BenchServers.servers(n, "equal");
      } else {
        LoadBalancer lb = BenchServers.balancer(entry.create(), servers);
        // One pick and its report, so state built on first use is counted too.
        lb.pick(entry.keys() == BenchAlgorithms.Keys.HASHED ? PickContext.ofKey("k") : PickContext.EMPTY)
            .complete(1_000_000L, Outcome.SUCCESS);
        kept[r] = lb;
      }
      long now = usedAfterGc();
      increments[r] = (now - last) / (double) n;
      last = now;
    }
    Reference.reachabilityFence(servers);
    for (Object o : kept) {
      if (o instanceof LoadBalancer) {
        ((LoadBalancer) o).close();
      }
    }
    Arrays.sort(increments);
    return increments[ROUNDS / 2];
  }

  private static long usedAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    // Collect until used heap stops shrinking: finalisation and reference processing can free
    // more on a second pass.
    for (int i = 0; i < 10; i++) {
      System.gc();
      long now = rt.totalMemory() - rt.freeMemory();
      if (now >= used) {
        return now;
      }
      used = now;
    }
    return used;
  }
}
