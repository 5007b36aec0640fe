package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Several threads pick through the real runtime while another publishes server lists with and
 * without one server. Checks: no exception, and no pick that started after a removal was
 * published (and before the server came back) returns the removed server.
 */
class AlgorithmConcurrencyTest {

  private static final int PICKERS = 3;
  private static final int PICKS_PER_THREAD = 20_000;
  private static final int SWAPS = 50;

  static List<Algorithm> all() {
    return AlgorithmContractTest.all();
  }

  @ParameterizedTest
  @MethodSource("all")
  void picksNeverReturnAServerAfterItsRemovalWasPublished(Algorithm algorithm) throws Exception {
    List<Server> full = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      full.add(Server.builder("10.0.0." + (i + 1), 80).weight(1 + i * 3).build());
    }
    Server leaving = full.get(3);
    List<Server> without = new ArrayList<>(full);
    without.remove(leaving);
    // Even epoch: the server is (being) present; odd epoch: its removal has been published.
    AtomicLong epoch = new AtomicLong();
    AtomicLong checked = new AtomicLong();
    AtomicLong pickersDone = new AtomicLong();
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(full).algorithm(algorithm)
        .random(RandomSource.threadLocal()).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(PICKERS + 1);
      CountDownLatch start = new CountDownLatch(1);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < PICKERS; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            start.await();
            // Picks go on past the quota until some pick ran inside a removal epoch, at most 100
            // times over: fast pickers could otherwise finish before the first removal.
            for (int i = 0; i < PICKS_PER_THREAD || (checked.get() == 0 && i < 100 * PICKS_PER_THREAD); i++) {
              long before = epoch.get();
              Selection s = lb.pick(i % 2 == 0 ? PickContext.EMPTY : PickContext.ofKey("k" + thread + "-" + (i % 500)));
              long after = epoch.get();
              if (before == after && (before & 1) == 1) {
                checked.incrementAndGet();
                assertTrue(!s.server().equals(leaving), algorithm.name() + " picked a removed server");
              }
              s.complete(1000, Outcome.SUCCESS);
            }
            pickersDone.incrementAndGet();
            return null;
          }));
        }
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < SWAPS; i++) {
            lb.updateServers(without);
            epoch.incrementAndGet(); // odd: removal published
            // Keep the server out until some pick ran entirely inside this epoch (bounded).
            long seen = checked.get();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (checked.get() == seen && pickersDone.get() < PICKERS && System.nanoTime() < deadline) {
              Thread.onSpinWait();
            }
            epoch.incrementAndGet(); // even: about to add back
            lb.updateServers(full);
          }
          return null;
        }));
        start.countDown();
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(2L * SWAPS, epoch.get());
      assertTrue(checked.get() > 0, "no pick ran inside a removal epoch: the test checked nothing");
      // Every server's in-flight count was released: tracked selections completed exactly once.
      lb.servers().forEach(v -> assertEquals(0, v.inFlight(), v.toString()));
    }
  }
}
