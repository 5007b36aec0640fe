package dev.lbkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakeTickerTest {

  @Test
  void startsAtOneSecondAndMovesOnlyWhenAdvanced() {
    FakeTicker ticker = new FakeTicker();
    assertEquals(1_000_000_000L, ticker.nanoTime());
    assertEquals(1_000_000_000L, ticker.nanoTime());
    ticker.advance(Duration.ofMillis(1500));
    ticker.advanceNanos(7);
    assertEquals(2_500_000_007L, ticker.nanoTime());
    assertEquals(42, new FakeTicker(42).nanoTime());
  }

  @Test
  void neverGoesBack() {
    FakeTicker ticker = new FakeTicker(100);
    assertEquals(100, ticker.advanceTo(50));
    assertEquals(200, ticker.advanceTo(200));
    IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> ticker.advance(Duration.ofNanos(-1)));
    assertEquals("duration must not be negative, was PT-0.000000001S", d.getMessage());
    IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> ticker.advanceNanos(-3));
    assertEquals("nanos must not be negative, was -3", n.getMessage());
    assertEquals(200, ticker.nanoTime());
  }

  @Test
  void advancesFromManyThreadsAddUp() throws Exception {
    FakeTicker ticker = new FakeTicker(0);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 10_000; i++) {
          ticker.advanceNanos(1);
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(40_000, ticker.nanoTime());
  }
}
