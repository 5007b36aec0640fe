package dev.lbkit.algorithms;

import dev.lbkit.api.Ticker;

/**
 * A ticker that returns a reading of another ticker taken by a timer: a read is one volatile load
 * instead of a {@code System.nanoTime()} call, which costs 20 to 30 ns on a virtual machine, more
 * when the hypervisor emulates the clock source.
 *
 * <p><b>Source.</b> The cached clocks of high-rate servers: Cassandra's {@code ApproximateTime}
 * (a reading refreshed by a scheduled task), Agrona's {@code CachedNanoClock}. {@link
 * CoarseClockTimer} advances every coarse ticker of the process from one shared daemon thread.
 *
 * <p><b>Precision.</b> A reading is never ahead of the source and lags it by less than the timer's
 * period ({@value CoarseClockTimer#PERIOD_NANOS} ns) plus the time the operating system takes to
 * run the timer thread once it is due: typically 0.05 to 0.1 ms on Linux, longer only while every
 * core is busy with other threads. Readings never go back, as long as the source does not (the
 * timer is the only writer). See {@link LiveEndpoint} for what that precision does to the latency
 * estimates: with the default 10 s decay time, a relative error of about 10⁻⁴ per sample.
 *
 * <p><b>Threading.</b> Reads from any thread; {@link #advance()} only from the timer thread (or a
 * test standing in for it).
 */
final class CoarseTicker implements Ticker {

  private final Ticker source;
  private volatile long now;

  CoarseTicker(Ticker source) {
    this.source = source;
    this.now = source.nanoTime();
  }

  /** The source this ticker samples. */
  Ticker source() {
    return source;
  }

  @Override
  public long nanoTime() {
    return now;
  }

  /** Takes a new reading of the source; called by the timer, one thread at a time. */
  void advance() {
    long reading = source.nanoTime();
    // A user's ticker that goes back must not make this one go back.
    if (reading - now > 0) {
      now = reading;
    }
  }

  @Override
  public String toString() {
    return "CoarseTicker(" + source + ")";
  }
}
