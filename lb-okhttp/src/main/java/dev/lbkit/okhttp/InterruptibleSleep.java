package dev.lbkit.okhttp;

import java.io.InterruptedIOException;

/**
 * A wait inside a call (a backoff, a rate-limit permit) on the injected {@link Sleeper}, as
 * OkHttp's I/O expects it: an interrupt keeps the thread's interrupt flag and surfaces as an
 * {@link InterruptedIOException}, the {@code IOException} that OkHttp hands to the caller.
 */
final class InterruptibleSleep {

  private InterruptibleSleep() {}

  /** Sleeps {@code nanos} with {@code sleeper}; returns at once when {@code nanos <= 0}. */
  static void sleep(Sleeper sleeper, long nanos) throws InterruptedIOException {
    if (nanos <= 0) {
      return;
    }
    try {
      sleeper.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException io = new InterruptedIOException("interrupted while waiting");
      io.initCause(e);
      throw io;
    }
  }
}
