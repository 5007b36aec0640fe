package dev.lbkit.algorithms;

import dev.lbkit.api.Ticker;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one timer thread of the process that advances every {@link CoarseTicker}: balancers built
 * with {@link LoadBalancerBuilder#coarseClock(boolean)} acquire a ticker here and release it when
 * they close.
 *
 * <p><b>Lifecycle.</b> The thread, named {@value #THREAD_NAME} and a daemon (it never keeps a JVM
 * alive), starts with the first acquisition and ends within one period of the last release; a
 * later acquisition starts a new one. Balancers over the same source ticker (by identity; {@link
 * Ticker#SYSTEM} for all that keep the default) share one coarse ticker, so each period costs one
 * source read per distinct source, whatever the number of balancers.
 *
 * <p><b>Why its own thread, not a shared scheduler.</b> A 1 ms task on a general scheduler (a
 * {@code ScheduledThreadPoolExecutor}, the health checks' scheduler) waits behind every other task
 * of that scheduler, and precision is the whole point of this thread; the runtime has no
 * scheduler of its own either (health inputs bring theirs). One parked thread costs about a
 * thousand wake-ups per second, a few microseconds each: well under 1% of one core, and only
 * while a balancer that asked for the coarse clock is open.
 *
 * <p><b>Threading.</b> {@link #acquire} and {@link #release} are thread-safe (one lock, control
 * plane only). The thread reads the registered tickers through a volatile array, without the lock.
 */
final class CoarseClockTimer {

  private static final Logger log = LoggerFactory.getLogger(CoarseClockTimer.class);

  /** The name of the timer thread. */
  static final String THREAD_NAME = "lbkit-coarse-clock";

  /**
   * How long the thread parks between two advances: 0.9 ms, so that with the usual wake-up delay
   * of a parked thread (under 0.1 ms) every ticker is advanced at least every millisecond.
   */
  static final long PERIOD_NANOS = 900_000L;

  private static final Object LOCK = new Object();
  /** Guarded by LOCK: each source's ticker and how many balancers hold it. */
  private static final Map<Ticker, Holder> HOLDERS = new IdentityHashMap<>();
  /** Guarded by LOCK: the running thread, or null. */
  private static Thread thread;
  /** The tickers the thread advances; replaced under LOCK, read by the thread. */
  private static volatile CoarseTicker[] tickers = new CoarseTicker[0];

  private CoarseClockTimer() {}

  private static final class Holder {
    final CoarseTicker ticker;
    int users;

    Holder(CoarseTicker ticker) {
      this.ticker = ticker;
    }
  }

  /** Returns the coarse ticker over {@code source}, counting one more user; starts the thread. */
  static CoarseTicker acquire(Ticker source) {
    synchronized (LOCK) {
      Holder h = HOLDERS.get(source);
      if (h == null) {
        h = new Holder(new CoarseTicker(source));
        HOLDERS.put(source, h);
        publish();
      }
      h.users++;
      if (thread == null) {
        thread = new Thread(CoarseClockTimer::run, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
      }
      return h.ticker;
    }
  }

  /** Counts one user less of {@code ticker}; the thread ends once no ticker is left. */
  static void release(CoarseTicker ticker) {
    synchronized (LOCK) {
      Holder h = HOLDERS.get(ticker.source());
      if (h == null || h.ticker != ticker || h.users == 0) {
        throw new IllegalStateException("coarse ticker released more often than acquired: " + ticker);
      }
      if (--h.users == 0) {
        HOLDERS.remove(ticker.source());
        publish();
      }
    }
  }

  /** The running timer thread, or null: for tests. */
  static Thread thread() {
    synchronized (LOCK) {
      return thread;
    }
  }

  private static void publish() {
    CoarseTicker[] next = new CoarseTicker[HOLDERS.size()];
    int i = 0;
    for (Holder h : HOLDERS.values()) {
      next[i++] = h.ticker;
    }
    tickers = next;
  }

  private static void run() {
    while (true) {
      CoarseTicker[] current = tickers;
      if (current.length == 0) {
        synchronized (LOCK) {
          // Decided under the lock, so that an acquire either sees this thread still running
          // (and its ticker is advanced by it) or sees null and starts a new one.
          if (tickers.length == 0) {
            thread = null;
            return;
          }
        }
        continue;
      }
      for (CoarseTicker t : current) {
        try {
          t.advance();
        } catch (RuntimeException e) {
          // A user's ticker that throws must not stop the clock of every other balancer.
          log.warn("coarse clock: ticker {} failed; its reading stays where it was", t.source(), e);
        }
      }
      LockSupport.parkNanos(PERIOD_NANOS);
    }
  }
}
