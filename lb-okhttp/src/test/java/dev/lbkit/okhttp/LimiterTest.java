package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Giving a permit back restores exactly the state in which it was never taken. */
class LimiterTest {
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;

  @Test
  void slidingWindowLogForgetsTheReleasedGrantNotALaterOne() {
    Limiter log = new Limiter.SlidingWindowLog(2, SECOND);
    assertEquals(0, log.tryAcquire(0));
    assertEquals(0, log.tryAcquire(500 * MS));
    log.release(0);
    assertEquals(0, log.tryAcquire(600 * MS));
    // Left: grants at 500 and 600 ms. Forgetting the 500 ms grant instead would have kept the
    // one at 0, freeing a slot at 1000 ms; the exact log frees it at 1500 ms.
    assertEquals(300 * MS, log.tryAcquire(1200 * MS));
    assertEquals(0, log.tryAcquire(1500 * MS));
  }

  @Test
  void tokenBucketGetsItsTokenBackButNeverAboveCapacity() {
    Limiter bucket = new Limiter.TokenBucket(2, SECOND);
    assertEquals(0, bucket.tryAcquire(0));
    assertEquals(0, bucket.tryAcquire(0));
    bucket.release(0);
    assertEquals(0, bucket.tryAcquire(0));
    assertEquals(500 * MS, bucket.tryAcquire(0));
    bucket.release(0);
    bucket.release(0);
    bucket.release(0);
    assertEquals(0, bucket.tryAcquire(0));
    assertEquals(0, bucket.tryAcquire(0));
    assertEquals(500 * MS, bucket.tryAcquire(0), "capacity stays 2");
  }

  @Test
  void fixedWindowIgnoresAReleaseFromAnEarlierWindow() {
    Limiter window = new Limiter.FixedWindow(1, SECOND);
    assertEquals(0, window.tryAcquire(900 * MS));
    assertEquals(0, window.tryAcquire(1100 * MS));
    window.release(900 * MS);
    assertEquals(900 * MS, window.tryAcquire(1100 * MS), "the new window's permit is still taken");
    window.release(1100 * MS);
    assertEquals(0, window.tryAcquire(1200 * MS));
  }
}
