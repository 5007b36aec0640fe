package dev.lbkit.okhttp;

/**
 * The built-in in-process limiters of {@link LocalBackend}, on the injected clock whose readings
 * {@link #tryAcquire} receives. Each implementation is exact under concurrency: its state changes
 * under its own monitor, never held during I/O.
 */
interface Limiter extends RateLimiter {

  static Limiter create(RateLimit limit) {
    long period = limit.period().toNanos();
    int permits = limit.permits();
    switch (limit.algorithm()) {
      case TOKEN_BUCKET:
        return new TokenBucket(permits, period);
      case SLIDING_WINDOW:
        return new SlidingWindowLog(permits, period);
      case SLIDING_WINDOW_APPROXIMATE:
        return new SlidingWindowCounter(permits, period);
      case FIXED_WINDOW:
        return new FixedWindow(permits, period);
      default:
        throw new AssertionError(limit.algorithm());
    }
  }

  /**
   * Tokens are counted in units of 1/period so that refill is integer arithmetic: one token is
   * {@code period} units and each elapsed nanosecond adds {@code permits} units. With permits ≤
   * 10^6 and period ≤ 1 h (3.6×10^12 ns) the capacity stays below 2^63.
   */
  final class TokenBucket implements Limiter {
    private final long permits;
    private final long period;
    private final long capacity;
    private long units;
    private long last;
    private boolean started;

    TokenBucket(int permits, long period) {
      this.permits = permits;
      this.period = period;
      this.capacity = permits * period;
      this.units = capacity;
    }

    @Override
    public synchronized long tryAcquire(long now) {
      if (!started) {
        started = true;
        last = now;
      }
      long elapsed = now - last;
      if (elapsed > 0) {
        units = elapsed >= period ? capacity : Math.min(capacity, units + elapsed * permits);
        last = now;
      }
      if (units >= period) {
        units -= period;
        return 0;
      }
      return Math.max(1, (period - units + permits - 1) / permits);
    }

    @Override
    public synchronized void release(long grantedAt) {
      units = Math.min(capacity, units + period);
    }
  }

  /** Exact: a ring of the last {@code permits} grant times. */
  final class SlidingWindowLog implements Limiter {
    private final long period;
    private final long[] grants;
    private int count;
    private int oldest;

    SlidingWindowLog(int permits, long period) {
      this.period = period;
      this.grants = new long[permits];
    }

    @Override
    public synchronized long tryAcquire(long now) {
      if (count < grants.length) {
        grants[(oldest + count) % grants.length] = now;
        count++;
        return 0;
      }
      long age = now - grants[oldest];
      if (age >= period) {
        grants[oldest] = now;
        oldest = (oldest + 1) % grants.length;
        return 0;
      }
      return period - age;
    }

    @Override
    public synchronized void release(long grantedAt) {
      // Remove that very grant (searching from the newest), so the window stays exact: removing
      // a later grant instead would keep an earlier time, which frees its slot too soon.
      int n = grants.length;
      for (int k = count - 1; k >= 0; k--) {
        if (grants[(oldest + k) % n] == grantedAt) {
          for (int j = k; j < count - 1; j++) {
            grants[(oldest + j) % n] = grants[(oldest + j + 1) % n];
          }
          count--;
          return;
        }
      }
    }
  }

  /** Approximate two-window counter; see {@link RateLimit.Algorithm#SLIDING_WINDOW_APPROXIMATE}. */
  final class SlidingWindowCounter implements Limiter {
    private final long permits;
    private final long period;
    private long window = Long.MIN_VALUE;
    private long previous;
    private long current;

    SlidingWindowCounter(int permits, long period) {
      this.permits = permits;
      this.period = period;
    }

    @Override
    public synchronized long tryAcquire(long now) {
      long w = Math.floorDiv(now, period);
      if (w != window) {
        previous = w == window + 1 ? current : 0;
        current = 0;
        window = w;
      }
      long elapsed = now - w * period;
      // previous * (1 - elapsed/period) + current < permits, scaled by period (< 2^63, see class).
      if (previous * (period - elapsed) + current * period < permits * period) {
        current++;
        return 0;
      }
      if (current >= permits) {
        return period - elapsed;
      }
      // Solve previous * (period - t) + current * period < permits * period for t.
      long need = previous * (period - elapsed) + current * period - permits * period + 1;
      return Math.max(1, Math.min(period - elapsed, (need + previous - 1) / Math.max(1, previous)));
    }

    @Override
    public synchronized void release(long grantedAt) {
      long w = Math.floorDiv(grantedAt, period);
      if (w == window && current > 0) {
        current--;
      } else if (w == window - 1 && previous > 0) {
        previous--;
      }
    }
  }

  /** A counter per period aligned on the clock's zero. */
  final class FixedWindow implements Limiter {
    private final int permits;
    private final long period;
    private long window = Long.MIN_VALUE;
    private int count;

    FixedWindow(int permits, long period) {
      this.permits = permits;
      this.period = period;
    }

    @Override
    public synchronized long tryAcquire(long now) {
      long w = Math.floorDiv(now, period);
      if (w != window) {
        window = w;
        count = 0;
      }
      if (count < permits) {
        count++;
        return 0;
      }
      return (w + 1) * period - now;
    }

    @Override
    public synchronized void release(long grantedAt) {
      if (Math.floorDiv(grantedAt, period) == window && count > 0) {
        count--;
      }
    }
  }
}
