package dev.lbkit.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.api.Selection;
import org.junit.jupiter.api.Test;

class RebuildBenchmarkTest {

  @Test
  void everyChangeRemovesOneServerAndTheListIsRestoredBelowTheLimit() {
    RebuildBenchmark.ListChanges changes = new RebuildBenchmark.ListChanges(Algorithms.roundRobin(), 20, "equal", false);
    try {
      int[] sizes = new int[6];
      for (int i = 0; i < sizes.length; i++) {
        changes.prepare();
        Selection s = changes.apply();
        assertNotNull(s.server());
        sizes[i] = changes.lb.servers().size();
      }
      // 20 servers, limit 0.9: 19 and 18 stay at or above 18; the third change restores 20 first.
      assertEquals(19, sizes[0]);
      assertEquals(18, sizes[1]);
      assertEquals(19, sizes[2]);
      assertEquals(18, sizes[3]);
      assertEquals(19, sizes[4]);
    } finally {
      changes.lb.close();
    }
  }
}
