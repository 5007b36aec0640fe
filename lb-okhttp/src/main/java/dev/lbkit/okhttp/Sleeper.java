package dev.lbkit.okhttp;

import java.util.concurrent.TimeUnit;

/**
 * Waits for a duration: between retries (backoff) and for a rate-limit permit. Injected so that
 * tests advance a fake clock instead of sleeping.
 */
@FunctionalInterface
public interface Sleeper {

  /** Sleeps on the calling thread with {@link Thread#sleep}. */
  Sleeper SYSTEM = nanos -> TimeUnit.NANOSECONDS.sleep(nanos);

  /**
   * Blocks the calling thread for about {@code nanos} nanoseconds.
   *
   * @throws InterruptedException when the thread is interrupted while waiting
   */
  void sleep(long nanos) throws InterruptedException;
}
