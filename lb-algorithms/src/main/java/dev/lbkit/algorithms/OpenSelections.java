package dev.lbkit.algorithms;

import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.Ticker;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leak detection for selections, a debug aid ({@link LoadBalancerBuilder#leakDetection}): every
 * selection a balancer hands out is wrapped, remembered with its pick time and the stack of its
 * pick, and forgotten when completed. A selection never completed (a lost {@code complete}, an
 * OkHttp response never closed) keeps its server's in-flight count for ever, skewing every
 * load-aware algorithm; {@link #overdue} counts, per server, those open past the limit, and logs
 * each of them once at WARN with where it was picked.
 *
 * <p><b>Cost.</b> Off by default. When on, a pick allocates a wrapper and a stack trace and
 * touches a concurrent set; a scan is O(open selections). Scans run when views are read ({@link
 * LoadBalancer#servers()}) and on a shared daemon timer every limit (at least a second), so a leak
 * is logged even when nobody reads views.
 *
 * <p><b>Threading.</b> {@link #watch} runs on picking threads, completion on reporting threads,
 * scans on the timer and on view readers; the set is concurrent and each selection's log flag is
 * set once by compare-and-set.
 */
final class OpenSelections {

  private static final Logger log = LoggerFactory.getLogger(OpenSelections.class);

  /** The shortest period of the background scan: a limit below it is still honoured by view reads. */
  private static final long MIN_SCAN_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final String cluster;
  private final Ticker ticker;
  private final long limitNanos;
  private final Set<Watched> open = ConcurrentHashMap.newKeySet();
  private final ScheduledFuture<?> scan;

  OpenSelections(String cluster, Ticker ticker, long limitNanos) {
    this.cluster = cluster;
    this.ticker = ticker;
    this.limitNanos = limitNanos;
    long period = Math.max(limitNanos, MIN_SCAN_PERIOD_NANOS);
    this.scan = Timer.INSTANCE.scheduleWithFixedDelay(this::scanQuietly, period, period, TimeUnit.NANOSECONDS);
  }

  /** Wraps {@code s}, remembering it until it is completed. */
  Selection watch(Selection s) {
    Watched w = new Watched(s, ticker.nanoTime(), new Throwable("picked here"));
    open.add(w);
    return w;
  }

  /**
   * Counts, by server id, the selections open longer than the limit now, logging each one not
   * logged before.
   */
  Map<String, Integer> overdue() {
    long now = ticker.nanoTime();
    Map<String, Integer> counts = new HashMap<>();
    for (Watched w : open) {
      long age = now - w.pickedNanos;
      if (age > limitNanos) {
        counts.merge(w.server().id(), 1, Integer::sum);
        if (w.logged.compareAndSet(false, true)) {
          log.warn("{}: a selection of {} has been open for {}, over the {} limit: complete every selection exactly once"
              + " (through OkHttp: close every response). Picked at:", cluster, w.server().id(), format(age),
              format(limitNanos), w.site);
        }
      }
    }
    return counts;
  }

  /** Stops the background scan; the balancer is closing. */
  void close() {
    scan.cancel(false);
  }

  private void scanQuietly() {
    try {
      overdue();
    } catch (RuntimeException e) {
      log.error("{}: leak detection scan failed", cluster, e);
    }
  }

  private static String format(long nanos) {
    return nanos >= TimeUnit.SECONDS.toNanos(1) ? TimeUnit.NANOSECONDS.toSeconds(nanos) + "s"
        : TimeUnit.NANOSECONDS.toMillis(nanos) + "ms";
  }

  /** A selection being watched: forgets itself on its first completion. */
  private final class Watched implements Selection {
    final Selection delegate;
    final long pickedNanos;
    final Throwable site;
    final AtomicBoolean logged = new AtomicBoolean();

    Watched(Selection delegate, long pickedNanos, Throwable site) {
      this.delegate = delegate;
      this.pickedNanos = pickedNanos;
      this.site = site;
    }

    @Override
    public Server server() {
      return delegate.server();
    }

    @Override
    public void complete(long latencyNanos, Outcome outcome) {
      open.remove(this);
      delegate.complete(latencyNanos, outcome);
    }

    @Override
    public void complete(long latencyNanos, Outcome outcome, long endNanos) {
      open.remove(this);
      delegate.complete(latencyNanos, outcome, endNanos);
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }

  /** One daemon thread shared by every balancer with leak detection on. */
  private static final class Timer {
    static final ScheduledExecutorService INSTANCE = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lbkit-leak-detection");
      t.setDaemon(true);
      return t;
    });
  }
}
