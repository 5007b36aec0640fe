package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import dev.lbkit.api.Ticker;
import dev.lbkit.testing.FakeTicker;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The latency estimates of {@link LiveEndpoint} read through a {@link CoarseTicker} against the
 * same estimates read through the exact ticker, on virtual time: the error bounds stated in
 * {@link LiveEndpoint}'s class comment. Each coarse reading lags the true time by a random amount
 * below {@link #LAG}, one period plus a generous wake-up delay.
 */
class CoarseClockEwmaProperties {

  private static final long MS = 1_000_000L;
  private static final long DECAY = 10_000 * MS; // the default 10 s
  private static final long LAG = 2 * MS;
  /** Decay's table error in a weight, 1.9e-6, doubled for the two estimates compared. */
  private static final double TABLE = 4e-6;

  private static LiveEndpoint endpoint(Ticker ticker) {
    return new LiveEndpoint(Server.of("10.0.0.1", 80), true, ticker, DECAY, 1_000 * MS, true,
        (ep, outcome, latency) -> {}, false);
  }

  /**
   * The plain EWMA is a weighted mean of the samples, each weighted by the gap before it; with
   * stamps off by less than L and gaps of at least G, every weight is within a factor {@code 1 ±
   * ε}, {@code ε = e^(L/τ)(1 + L/G) - 1}, so the two means differ by at most {@code ε × R / 2}, R
   * the range of the samples (plus the table's error, relative to the smallest gap).
   */
  @Property(tries = 200, seed = "41")
  void plainEwmaWithCoarseStampsStaysWithinTheDocumentedBound(
      @ForAll @Size(min = 1, max = 200) List<@IntRange(min = 10, max = 2_000) Integer> gapsMs,
      @ForAll long seed) {
    Random random = new Random(seed);
    FakeTicker source = new FakeTicker();
    CoarseTicker coarse = new CoarseTicker(source);
    LiveEndpoint exact = endpoint(source);
    LiveEndpoint approximate = endpoint(coarse);
    long min = Long.MAX_VALUE;
    long max = 0;
    long smallestGap = Long.MAX_VALUE;
    for (int gapMs : gapsMs) {
      long gap = gapMs * MS;
      smallestGap = Math.min(smallestGap, gap);
      long lag = (long) (random.nextDouble() * LAG);
      // The timer last advanced the coarse ticker lag nanoseconds before this report.
      source.advanceNanos(gap - lag);
      coarse.advance();
      source.advanceNanos(lag);
      long latency = (1 + random.nextInt(1_000)) * MS;
      min = Math.min(min, latency);
      max = Math.max(max, latency);
      exact.record(latency, Outcome.SUCCESS);
      approximate.record(latency, Outcome.SUCCESS);
    }
    double tau = DECAY;
    double epsilon = Math.exp(LAG / tau) * (1 + LAG / (double) smallestGap) - 1
        + TABLE / (1 - Math.exp(-smallestGap / tau));
    double bound = epsilon * (max - min) / 2 + 2; // + 2 ns: both estimates are truncated to long
    long difference = Math.abs(exact.latencyEwmaNanos() - approximate.latencyEwmaNanos());
    assertTrue(difference <= bound, "EWMA " + approximate.latencyEwmaNanos() + " against exact "
        + exact.latencyEwmaNanos() + ": off by " + difference + " ns, bound " + bound);
  }

  /**
   * Decay on read: a Peak EWMA read through the coarse ticker is the exact read's value within a
   * factor {@code e^(±L/τ)}, since the sample's age is off by less than L.
   */
  @Property(tries = 200, seed = "42")
  void peakDecayOnReadIsWithinOneLagOfTheExactRead(
      @ForAll @IntRange(min = 1, max = 1_000) int latencyMs,
      @ForAll @IntRange(min = 2, max = 60_000) int ageMs,
      @ForAll @IntRange(min = 0, max = 1_999_999) int lagAtSample,
      @ForAll @IntRange(min = 0, max = 1_999_999) int lagAtRead) {
    FakeTicker source = new FakeTicker();
    CoarseTicker coarse = new CoarseTicker(source);
    LiveEndpoint exact = endpoint(source);
    LiveEndpoint approximate = endpoint(coarse);
    source.advanceNanos(10 * LAG - lagAtSample);
    coarse.advance();
    source.advanceNanos(lagAtSample);
    exact.record(latencyMs * MS, Outcome.SUCCESS);
    approximate.record(latencyMs * MS, Outcome.SUCCESS);

    source.advanceNanos(ageMs * MS - lagAtRead);
    coarse.advance();
    source.advanceNanos(lagAtRead);
    long exactRead = exact.peakEwmaNanos();
    long coarseRead = approximate.peakEwmaNanos();
    // Both agree on whether the sample has expired, except within one lag of the expiry.
    long expiry = LiveEndpoint.EXPIRY_DECAY_TIMES * DECAY;
    if (Math.abs(ageMs * MS - expiry) > LAG) {
      assertEquals(exact.hasLatencySample(), approximate.hasLatencySample());
    }
    double factor = Math.exp(LAG / (double) DECAY) * (1 + TABLE);
    assertTrue(coarseRead <= exactRead * factor + 1 && coarseRead >= exactRead / factor - 1,
        "coarse read " + coarseRead + " against exact " + exactRead);
  }

  @Test
  void samplesWithTheSameStampMoveOnlyToAPeak() {
    FakeTicker time = new FakeTicker();
    LiveEndpoint ep = endpoint(time);
    ep.record(10 * MS, Outcome.SUCCESS);
    time.advanceNanos(DECAY);
    ep.record(20 * MS, Outcome.SUCCESS); // a blend: 10 e^-1 + 20 (1 - e^-1) = 16.32 ms
    long ewma = ep.latencyEwmaNanos();
    long peak = ep.peakEwmaNanos();
    assertEquals(20, peak / MS, "a slower sample is a peak");
    assertEquals(16.32, ewma / (double) MS, 0.01);
    // The same tick: a weight of 1, so faster samples change nothing.
    ep.record(5 * MS, Outcome.SUCCESS);
    ep.record(19 * MS, Outcome.SUCCESS);
    assertEquals(ewma, ep.latencyEwmaNanos());
    assertEquals(peak, ep.peakEwmaNanos());
    // A slower one raises the peak at once, and not the plain EWMA.
    ep.record(500 * MS, Outcome.SUCCESS);
    assertEquals(500 * MS, ep.peakEwmaNanos());
    assertEquals(ewma, ep.latencyEwmaNanos());
    // A failure raises both to the penalty (1 s here), as in any tick.
    ep.record(1 * MS, Outcome.SERVER_ERROR);
    assertEquals(1_000 * MS, ep.latencyEwmaNanos());
    assertEquals(1_000 * MS, ep.peakEwmaNanos());
    // A caller's stamp before the last sample is the same case and keeps the later stamp.
    ep.track().complete(2_000 * MS, Outcome.SUCCESS, time.nanoTime() - DECAY);
    assertEquals(2_000 * MS, ep.peakEwmaNanos());
    time.advanceNanos(DECAY);
    assertEquals(735.76, ep.peakEwmaNanos() / (double) MS, 0.1, "decays from the later stamp: 2 s × e^-1");
  }

  @Test
  void reportWithItsEndTimeReadsNoClockAndStampsTheSampleWithIt() {
    AtomicInteger reads = new AtomicInteger();
    FakeTicker time = new FakeTicker();
    Ticker counting = () -> {
      reads.incrementAndGet();
      return time.nanoTime();
    };
    LiveEndpoint ep = endpoint(counting);
    long end = time.nanoTime();
    time.advanceNanos(DECAY); // the report arrives one decay time after the response ended
    ep.track().complete(100 * MS, Outcome.SUCCESS, end);
    assertEquals(0, reads.get(), "a report with its end time reads no clock");
    // Stamped at the end time, the sample is one decay time old now: 100 ms × e^-1.
    assertEquals(36.79, ep.peakEwmaNanos() / (double) MS, 0.01);
  }
}
