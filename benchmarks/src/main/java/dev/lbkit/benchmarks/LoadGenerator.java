package dev.lbkit.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * Drives a {@link Target} with an open-loop generator (a fixed rate, latency measured from each
 * call's intended start) or a closed loop (a fixed number of callers, each sending its next call
 * when the last one ends).
 *
 * <p><b>Coordinated omission.</b> The open loop schedules call {@code i} at {@code start + i /
 * rate}. When the generator falls behind (a GC pause, a busy core), it sends the late calls at
 * once, and each call's latency still counts from its intended start, so a stall shows up in the
 * percentiles instead of silently lowering the offered load.
 */
final class LoadGenerator {

  private LoadGenerator() {}

  /** Something to call, blocking: returns the HTTP status, or throws. */
  interface Target {
    int call() throws Exception;
  }

  /** Failed calls since the last {@link #drainErrorKinds()}, by kind: exception class and message, or HTTP status. */
  private static final Map<String, LongAdder> ERROR_KINDS = new ConcurrentHashMap<>();

  /** Returns the failed calls by kind since the last call, sorted by kind, and forgets them. */
  static Map<String, Long> drainErrorKinds() {
    Map<String, Long> out = new TreeMap<>();
    for (String kind : List.copyOf(ERROR_KINDS.keySet())) {
      LongAdder n = ERROR_KINDS.remove(kind);
      if (n != null) {
        out.put(kind, n.sum());
      }
    }
    return out;
  }

  private static void countError(String kind) {
    ERROR_KINDS.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  private static String kindOf(Exception e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /** Runs the open loop's calls: one thread per call in flight, reused. */
  private static final ExecutorService CALLERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "open-loop-caller");
            t.setDaemon(true);
            return t;
          });

  /** The latencies and errors of one run. */
  static final class Result {
    final long[] latencies;
    final int errors;
    final double seconds;
    /** Latencies in send order (open loop), 0 for calls that never ended; null for closed loops. */
    private final long[] inOrder;

    Result(long[] latencies, int errors, double seconds) {
      this(latencies, errors, seconds, null);
    }

    private Result(long[] latencies, int errors, double seconds, long[] inOrder) {
      this.latencies = latencies.clone();
      Arrays.sort(this.latencies);
      this.errors = errors;
      this.seconds = seconds;
      this.inOrder = inOrder;
    }

    /** Pools several runs' calls into one result (percentiles over all calls; seconds add up). */
    static Result merge(List<Result> runs) {
      int n = 0;
      int errors = 0;
      double seconds = 0;
      for (Result r : runs) {
        n += r.latencies.length;
        errors += r.errors;
        seconds += r.seconds;
      }
      long[] all = new long[n];
      int at = 0;
      for (Result r : runs) {
        System.arraycopy(r.latencies, 0, all, at, r.latencies.length);
        at += r.latencies.length;
      }
      return new Result(all, errors, seconds);
    }

    /**
     * The calls scheduled in {@code [from, until)} of an open-loop run, as fractions of the run;
     * unfinished calls count as errors.
     */
    Result window(double from, double until) {
      if (inOrder == null) {
        throw new IllegalStateException("only open-loop results have a schedule");
      }
      int a = (int) Math.round(from * inOrder.length);
      int b = (int) Math.round(until * inOrder.length);
      long[] part = Arrays.stream(inOrder, a, b).filter(l -> l > 0).toArray();
      return new Result(part, (b - a) - part.length, seconds * (until - from));
    }

    int calls() {
      return latencies.length;
    }

    /** The {@code q}-quantile latency in milliseconds (nearest rank). */
    double percentileMillis(double q) {
      if (latencies.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(q * latencies.length);
      return latencies[Math.max(0, Math.min(latencies.length - 1, rank - 1))] / 1e6;
    }

    /** The share of calls slower than {@code timeoutNanos}, or failed, in percent. */
    double overPercent(long timeoutNanos) {
      int over = 0;
      for (long l : latencies) {
        if (l > timeoutNanos) {
          over++;
        }
      }
      return 100.0 * (over + errors) / Math.max(1, latencies.length);
    }

    /** Completed calls per second. */
    double throughput() {
      return (latencies.length - errors) / seconds;
    }

    String summary() {
      return String.format(Locale.ROOT, "%d calls, %d errors, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms",
          calls(), errors, percentileMillis(0.50), percentileMillis(0.99), percentileMillis(0.999));
    }
  }

  /**
   * Sends {@code rate} calls per second for {@code seconds}, open loop. {@code onSchedule}
   * receives each call's intended offset from the start, in nanoseconds, just before it is sent
   * (the scenario uses it to make a backend slow for part of the run). Waits for every call to
   * end, at most {@code drainSeconds} after the last send.
   */
  static Result openLoop(Target target, int rate, double seconds, LongConsumer onSchedule, double drainSeconds) {
    int total = (int) Math.round(rate * seconds);
    long[] latencies = new long[total];
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(total);
    double intervalNanos = 1e9 / rate;
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long offset = (long) (i * intervalNanos);
      long intended = start + offset;
      for (long wait = intended - System.nanoTime(); wait > 0; wait = intended - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      onSchedule.accept(offset);
      int index = i;
      CALLERS.execute(
          () -> {
            boolean failed;
            try {
              int status = target.call();
              failed = status >= 500;
              if (failed) {
                countError("HTTP " + status);
              }
            } catch (Exception e) {
              failed = true;
              countError(kindOf(e));
            }
            latencies[index] = System.nanoTime() - intended;
            if (failed) {
              errors.incrementAndGet();
            }
            done.countDown();
          });
    }
    await(done, drainSeconds);
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] inOrder = latencies.clone();
    long[] finished = Arrays.stream(inOrder).filter(l -> l > 0).toArray();
    int unfinished = total - finished.length;
    return new Result(finished, errors.get() + unfinished, Math.min(elapsed, seconds), inOrder);
  }

  /**
   * Runs {@code concurrency} callers for {@code seconds}, closed loop: each sends its next call
   * when the previous one ends. Latency counts from each send.
   */
  static Result closedLoop(Target target, int concurrency, double seconds) {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    List<long[]> perThread = new ArrayList<>();
    int[] counts = new int[concurrency];
    AtomicInteger errors = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < concurrency; t++) {
      long[][] box = {new long[4096]};
      int slot = t;
      perThread.add(null);
      Thread thread =
          new Thread(
              () -> {
                long[] mine = box[0];
                int n = 0;
                while (System.nanoTime() < deadline) {
                  long sent = System.nanoTime();
                  try {
                    int status = target.call();
                    if (status >= 500) {
                      errors.incrementAndGet();
                      countError("HTTP " + status);
                    }
                  } catch (Exception e) {
                    errors.incrementAndGet();
                    countError(kindOf(e));
                  }
                  if (n == mine.length) {
                    mine = Arrays.copyOf(mine, n * 2);
                  }
                  mine[n++] = System.nanoTime() - sent;
                }
                synchronized (perThread) {
                  perThread.set(slot, mine);
                  counts[slot] = n;
                }
              },
              "closed-loop-" + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    int sum = 0;
    synchronized (perThread) {
      for (int c : counts) {
        sum += c;
      }
      long[] all = new long[sum];
      int at = 0;
      for (int t = 0; t < concurrency; t++) {
        System.arraycopy(perThread.get(t), 0, all, at, counts[t]);
        at += counts[t];
      }
      return new Result(all, errors.get(), elapsed);
    }
  }

  private static void await(CountDownLatch latch, double seconds) {
    try {
      latch.await((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
