package dev.lbkit.api;

/**
 * A source of monotonic nanosecond time. Algorithms and health mechanisms read time only
 * through a ticker, so that tests run in virtual time.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Ticker {

  /** The system ticker, {@link System#nanoTime()}. */
  Ticker SYSTEM = System::nanoTime;

  /** Returns the current time in nanoseconds; only differences between readings are meaningful. */
  long nanoTime();
}
