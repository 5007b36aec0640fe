package dev.lbkit.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {

  private static LoadGenerator.Result millis(int errors, long... ms) {
    long[] nanos = new long[ms.length];
    for (int i = 0; i < ms.length; i++) {
      nanos[i] = ms[i] * 1_000_000L;
    }
    return new LoadGenerator.Result(nanos, errors, 1.0);
  }

  @Test
  void percentilesUseTheNearestRank() {
    long[] ms = new long[1000];
    for (int i = 0; i < ms.length; i++) {
      ms[ms.length - 1 - i] = i + 1; // 1..1000 ms, unsorted
    }
    LoadGenerator.Result r = millis(0, ms);
    assertEquals(500.0, r.percentileMillis(0.50));
    assertEquals(990.0, r.percentileMillis(0.99));
    assertEquals(999.0, r.percentileMillis(0.999));
    assertEquals(1000.0, r.percentileMillis(1.0));
  }

  @Test
  void shareOverTheTimeoutCountsSlowCallsAndErrors() {
    LoadGenerator.Result r = millis(1, 1, 2, 30, 40);
    // Two calls over 25 ms plus one failed call, out of four.
    assertEquals(75.0, r.overPercent(25_000_000L));
  }

  @Test
  void throughputCountsOnlySuccessfulCalls() {
    assertEquals(3.0, millis(1, 1, 2, 3, 4).throughput());
  }

  @Test
  void mergePoolsCallsErrorsAndTime() {
    LoadGenerator.Result merged = LoadGenerator.Result.merge(List.of(millis(1, 1, 2), millis(0, 3, 4, 5)));
    assertEquals(5, merged.calls());
    assertEquals(1, merged.errors);
    assertEquals(2.0, merged.seconds);
    assertEquals(5.0, merged.percentileMillis(1.0));
  }

  @Test
  void openLoopSendsEveryScheduledCallAndCountsFailures() {
    AtomicInteger calls = new AtomicInteger();
    LoadGenerator.Result r =
        LoadGenerator.openLoop(
            () -> calls.incrementAndGet() % 10 == 0 ? 503 : 200, 2000, 0.05, offset -> { }, 5.0);
    assertEquals(100, calls.get());
    assertEquals(100, r.calls());
    assertEquals(10, r.errors);
  }

  @Test
  void failedCallsAreCountedByKindUntilDrained() {
    LoadGenerator.drainErrorKinds();
    AtomicInteger calls = new AtomicInteger();
    LoadGenerator.openLoop(
        () -> {
          int n = calls.incrementAndGet();
          if (n % 10 == 0) {
            throw new java.io.IOException("unexpected end of stream");
          }
          return n % 10 == 5 ? 503 : 200;
        },
        2000, 0.05, offset -> { }, 5.0);
    assertEquals(java.util.Map.of("HTTP 503", 10L, "IOException: unexpected end of stream", 10L),
        LoadGenerator.drainErrorKinds());
    assertEquals(java.util.Map.of(), LoadGenerator.drainErrorKinds());
  }

  @Test
  void openLoopWindowKeepsTheCallsScheduledInIt() {
    LoadGenerator.Result r = LoadGenerator.openLoop(() -> 200, 2000, 0.05, offset -> { }, 5.0);
    assertEquals(50, r.window(0.25, 0.75).calls());
    assertEquals(0, r.window(0.25, 0.75).errors);
  }

  @Test
  void openLoopTellsTheScheduleEveryIntendedOffset() {
    AtomicInteger late = new AtomicInteger();
    AtomicInteger seen = new AtomicInteger();
    LoadGenerator.openLoop(
        () -> 200,
        1000,
        0.02,
        offset -> {
          if (offset != seen.getAndIncrement() * 1_000_000L) {
            late.incrementAndGet();
          }
        },
        5.0);
    assertEquals(20, seen.get());
    assertEquals(0, late.get());
  }

  @Test
  void closedLoopResultsHaveNoSchedule() {
    LoadGenerator.Result r = LoadGenerator.closedLoop(() -> 200, 1, 0.01);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.window(0, 1));
    assertEquals("only open-loop results have a schedule", e.getMessage());
  }
}
