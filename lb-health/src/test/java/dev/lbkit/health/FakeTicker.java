package dev.lbkit.health;

import dev.lbkit.api.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A manually advanced clock. */
final class FakeTicker implements Ticker {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  void set(long value) {
    nanos.set(value);
  }

  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }
}
