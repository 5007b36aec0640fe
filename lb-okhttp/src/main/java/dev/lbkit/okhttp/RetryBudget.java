package dev.lbkit.okhttp;

import dev.lbkit.api.Ticker;

/**
 * Finagle's retry budget: every request deposits {@code percent/100} of a retry, every retry
 * withdraws one, and a reserve of {@code minPerSecond × window} retries refills over the window.
 * Deposits expire after the window, so a burst of old traffic cannot pay for a later storm.
 *
 * <p>Implementation: a ring of one-second buckets counting requests and retries, on the injected
 * clock. A retry is allowed while {@code retries < requests × percent / 100 + minPerSecond ×
 * windowSeconds} over the buckets still inside the window. Cost O(window seconds) per call,
 * under a lock (never held during I/O).
 *
 * <p>The reserve can be spent in one burst, so the budget alone does not stop a storm at low
 * rates: {@link RetryThrottle} does, by refusing retries while the cluster as a whole fails.
 */
final class RetryBudget {
  private static final long SECOND = 1_000_000_000L;

  private final Ticker ticker;
  private final int percent;
  private final long reserve;
  private final long[] requests;
  private final long[] retries;
  private final long[] epoch;

  RetryBudget(RetryPolicy policy, Ticker ticker) {
    this.ticker = ticker;
    this.percent = policy.budgetPercent();
    int seconds = (int) policy.budgetWindow().getSeconds();
    this.reserve = (long) policy.budgetMinPerSecond() * seconds;
    this.requests = new long[seconds];
    this.retries = new long[seconds];
    this.epoch = new long[seconds];
  }

  synchronized void onRequest() {
    requests[slot(ticker.nanoTime())]++;
  }

  /** Withdraws one retry when the budget allows it. */
  synchronized boolean tryRetry() {
    long now = ticker.nanoTime();
    int current = slot(now);
    if (hundredths(now) > 0) {
      retries[current]++;
      return true;
    }
    return false;
  }

  /** How many retries the budget would allow now, at least 0: a level for gauges. */
  synchronized long remaining() {
    long h = hundredths(ticker.nanoTime());
    // Retries are allowed while retries < allowance, so h hundredths allow ceil(h / 100) more.
    return h <= 0 ? 0 : (h + 99) / 100;
  }

  /** (requests × percent / 100 + reserve − retries) × 100 over the window, in integers. */
  private long hundredths(long now) {
    long second = Math.floorDiv(now, SECOND);
    long req = 0;
    long ret = 0;
    for (int i = 0; i < epoch.length; i++) {
      if (second - epoch[i] < epoch.length) {
        req += requests[i];
        ret += retries[i];
      }
    }
    return req * percent + reserve * 100 - ret * 100;
  }

  private int slot(long now) {
    long second = Math.floorDiv(now, SECOND);
    int i = (int) Math.floorMod(second, (long) epoch.length);
    if (epoch[i] != second) {
      epoch[i] = second;
      requests[i] = 0;
      retries[i] = 0;
    }
    return i;
  }
}
