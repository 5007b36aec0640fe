package dev.lbkit.redis;

import dev.lbkit.api.Ticker;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Instant;

/**
 * Bucket4j's clock, read from an injected {@link Ticker} and anchored once on an injected wall
 * clock, so that every process sharing a bucket counts time from the same epoch.
 *
 * <p>Why both: Bucket4j's compare-and-swap on Redis computes the bucket's refill on the client,
 * with the client's clock, and stores the time of the last refill in Redis; the next client,
 * perhaps another process, refills from that time with its own clock. A ticker alone ({@code
 * System.nanoTime()}) has an arbitrary origin per process, so the readings would mean nothing to
 * the other processes. Reading the wall clock on every call would follow its steps (NTP slews
 * and jumps); anchoring once keeps the ticker's monotonic steps and the wall clock's shared origin.
 * Processes then agree up to their wall clocks' skew at start: a process ahead by {@code s}
 * refills up to {@code rate × s} tokens early once, and the others refill nothing until their
 * clocks pass the stored time (Bucket4j never refills backwards), so skew shifts grants in time
 * but does not create a lasting excess.
 *
 * <p>Threading: immutable; reads the ticker, which is thread-safe.
 */
final class TickerTimeMeter implements TimeMeter {
  private final Ticker ticker;
  private final long offsetNanos;

  TickerTimeMeter(Ticker ticker, Clock wallClock) {
    this.ticker = ticker;
    Instant now = wallClock.instant();
    long wallNanos = Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
    this.offsetNanos = wallNanos - ticker.nanoTime();
  }

  @Override
  public long currentTimeNanos() {
    return ticker.nanoTime() + offsetNanos;
  }

  @Override
  public boolean isWallClockBased() {
    return true;
  }
}
