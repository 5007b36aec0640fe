package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Measures the bytes a pick and its report allocate, through the real runtime, with the JVM's
 * per-thread allocation counter: one 24-byte selection (its endpoint and the flag that lets only
 * its first report count), for algorithms that track nothing and for those that count in-flight
 * requests alike.
 */
class PickAllocationTest {

  private static final int PICKS = 20_000;

  static List<Algorithm> all() {
    return AlgorithmContractTest.all();
  }

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  private static boolean compressedOops() {
    Object flag = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
        .getVMOption("UseCompressedOops").getValue();
    return Boolean.parseBoolean(String.valueOf(flag));
  }

  @ParameterizedTest
  @MethodSource("all")
  void pickAllocatesAtMostTheTrackedSelection(Algorithm algorithm) {
    Assumptions.assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      servers.add(Server.builder("10.0.0." + (i + 1), 80).weight(1 + i).build());
    }
    PickContext[] keys = new PickContext[64];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = PickContext.ofKey("user-" + i);
    }
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(servers).algorithm(algorithm)
        .random(RandomSource.threadLocal()).build()) {
      for (int i = 0; i < PICKS; i++) { // warm up: let the JIT compile the pick path
        lb.pick(keys[i & 63]).complete(1000, Outcome.SUCCESS);
      }
      long before = allocatedBytes();
      for (int i = 0; i < PICKS; i++) {
        Selection s = lb.pick(keys[i & 63]);
        s.complete(1000, Outcome.SUCCESS);
      }
      double perPick = (allocatedBytes() - before) / (double) PICKS;
      // Tracked or not, a selection is a reference and an int: 24 bytes with compressed oops, 32
      // at most without. Allow the measurement's noise.
      double allowed = compressedOops() ? 24.5 : 32.5;
      assertTrue(perPick <= allowed, algorithm.name() + " allocates " + perPick + " bytes per pick");
    }
  }
}
