package dev.lbkit.benchmarks;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Heap retained per server by a {@link LoadBalancer}, for every registered algorithm.
 *
 * <p><b>How it measures.</b> JOL is not a dependency, so this uses the heap itself: build the
 * {@link Server} list, force full collections until used heap stops shrinking, read used heap;
 * build the balancer over that list (one picker built), collect again, read again. The
 * difference divided by N is what the balancer retains per server beyond the {@code Server}
 * object the caller already holds: its endpoint, health state, statistics and the picker's
 * share. The Server objects themselves are measured the same way against an empty heap. Each
 * figure is the median of five rounds. Run it alone, with the serial collector, so that only
 * this thread allocates:
 *
 * <pre>{@code
 * java -XX:+UseSerialGC -Xmx1g -cp benchmarks/target/benchmarks.jar \
 *     dev.lbkit.benchmarks.HeapPerServer [servers=10000] [algorithms=all]
 * }</pre>
 *
 * The result is accurate to a few bytes per server at N = 10,000: the balancer's fixed
 * overhead (a few KB) spreads to under one byte per server.
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
    System.out.printf(Locale.ROOT, "Heap retained per server, N = %d, median of %d rounds%n", n, ROUNDS);
    System.out.printf(Locale.ROOT, "%-28s %14s%n", "what", "bytes/server");
    double serverBytes = measure(n, null);
    System.out.printf(Locale.ROOT, "%-28s %14.1f%n", "Server objects (baseline)", serverBytes);
    for (BenchAlgorithms.Entry e : BenchAlgorithms.select(algorithms)) {
      System.out.printf(Locale.ROOT, "%-28s %14.1f%n", "balancer, " + e.name(), measure(n, e));
    }
  }

  /** Bytes per server retained by the balancer (or by the server list when {@code entry} is null). */
  private static double measure(int n, BenchAlgorithms.Entry entry) {
    double[] rounds = new double[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      List<Server> servers;
      long before;
      long after;
      if (entry == null) {
        before = usedAfterGc();
        servers = BenchServers.servers(n, "equal");
        after = usedAfterGc();
        rounds[r] = (after - before) / (double) n;
        keep(servers);
      } else {
        servers = BenchServers.servers(n, "equal");
        before = usedAfterGc();
        LoadBalancer lb = BenchServers.balancer(entry.create(), servers);
        lb.pick(BenchAlgorithms.Keys.HASHED == entry.keys()
            ? dev.lbkit.api.PickContext.ofKey("k") : dev.lbkit.api.PickContext.EMPTY)
            .complete(1_000_000L, dev.lbkit.api.Outcome.SUCCESS);
        after = usedAfterGc();
        rounds[r] = (after - before) / (double) n;
        keep(lb);
        lb.close();
        keep(servers);
      }
    }
    Arrays.sort(rounds);
    return rounds[ROUNDS / 2];
  }

  private static final List<Object> SINK = new ArrayList<>();

  /** Keeps {@code o} reachable until the measurement that needed it is over. */
  private static void keep(Object o) {
    SINK.add(o);
    SINK.clear();
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
