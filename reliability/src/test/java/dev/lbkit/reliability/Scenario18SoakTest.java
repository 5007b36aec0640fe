package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/**
 * Row 18, the soak (only with {@code -Psoak}): 10 minutes of mixed load (200 calls/s, 4 in 5
 * GETs and 1 in 5 POSTs, half by {@code execute()} and half by {@code enqueue()}) on five
 * backends, while a chaos thread puts one backend at a time, for 2 to 8 s, under a random fault
 * of the proxy: latency, black hole, a reset before the first response byte or mid-body, refused
 * connections, a kill (restarted on the same port afterwards), or 503s. Attempts time out after
 * 2 s without a byte. The 1 byte/s drip is left out here: a byte a second never trips a read
 * timeout of 1 s or more, so only the call timeout ends such a call, and row 7 shows it does;
 * a read timeout short enough to catch it (under 1 s) times out healthy calls too on a loaded
 * 2-core machine.
 *
 * <p><b>Lost</b>: a call with no outcome when the run ends, a GET that failed before its
 * response (retries should have saved it), or a success that no backend recorded. A GET whose
 * body was cut by a mid-body reset failed visibly, after its response began, and is counted
 * apart; so are POSTs that failed (they are not retried once sent, by design). <b>Duplicated</b>:
 * a POST that the backends received more than once. <b>Flat</b>: from minute 2 on, each
 * minute's heap after GC and thread count (the lowest of four samples a minute) are within 10%
 * of minute 2's (the harness's own threads, proxies, backends and load workers, are left out:
 * their number follows the faults; {@code enqueue()} runs on a fixed pool of 64 threads).
 * Set {@code -Dreliability.soak.minutes=N} for a shorter trial run.
 */
class Scenario18SoakTest {
  private static final int RATE = 200;
  private static final String PREFIX = "s18-";

  /** What the calls came to; updated from many threads. */
  private static final class Tally {
    final AtomicLong ok = new AtomicLong();
    final AtomicLong getsFailed = new AtomicLong();
    final AtomicLong getsCutMidBody = new AtomicLong();
    final AtomicLong postsFailed = new AtomicLong();
    final AtomicLong unrecorded = new AtomicLong();
    final AtomicLong duplicatedPosts = new AtomicLong();
    final Set<String> open = ConcurrentHashMap.newKeySet();
    final Map<String, Integer> failureKinds = new ConcurrentHashMap<>();
    volatile String firstLost = "none";
  }

  @Test
  void nothingLostNothingDuplicatedAndFlat() throws IOException, InterruptedException {
    assumeTrue(Profile.current() == Profile.SOAK,
        "row 18 (the 10-minute soak) runs only in the soak profile: mvn -B -pl reliability -am verify -Psoak");
    long minutes = Long.getLong("reliability.soak.minutes", 10);
    long durationNanos = TimeUnit.MINUTES.toNanos(minutes);
    int capacity = (int) (RATE * TimeUnit.NANOSECONDS.toSeconds(durationNanos) * 2);
    Ledger ledger = Ledger.numbered(PREFIX, capacity);
    Tally tally = new Tally();
    List<long[]> samples = new ArrayList<>(); // {minute, heap bytes, threads}
    try (Fleet fleet = Fleet.start(Fleet.Protocol2.HTTP_1_1, 5, ledger);
        LoadBalancer lb = LoadBalancer.builder("users").servers(fleet.servers())
            .healthInput(OutlierDetection.builder().build()).build()) {
      for (int i = 0; i < 5; i++) {
        fleet.backend(i).bodyBytes(2000);
      }
      // A fixed, prestarted pool for enqueue(): OkHttp's default pool keeps a thread per call of
      // the last minute's peak, so its size follows the faults, not a leak.
      ThreadPoolExecutor dispatcherPool = new ThreadPoolExecutor(64, 64, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
      dispatcherPool.prestartAllCoreThreads();
      OkHttpClient client = LbOkHttp.wrap(fleet.baseClient().dispatcher(new Dispatcher(dispatcherPool)).build(),
          LbConfig.builder().cluster("users", lb)
          .callTimeout(Duration.ofSeconds(10))
          .attemptTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2)).build());
      ExecutorService workers = Executors.newFixedThreadPool(64, r -> {
        Thread t = new Thread(r, "load-soak");
        t.setDaemon(true);
        return t;
      });
      Semaphore inFlight = new Semaphore(256);
      Thread chaos = new Thread(() -> chaos(fleet, durationNanos), "load-chaos");
      chaos.setDaemon(true);
      long t0 = System.nanoTime();
      chaos.start();
      try {
        long period = TimeUnit.SECONDS.toNanos(1) / RATE;
        long minute = TimeUnit.MINUTES.toNanos(1) * minutes / 10;
        long nextSample = t0 + 2 * minute;
        for (int i = 0; System.nanoTime() - t0 < durationNanos && i < capacity; i++) {
          long wait = t0 + i * period - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          if (System.nanoTime() >= nextSample) {
            samples.add(sample((int) ((System.nanoTime() - t0) / minute)));
            nextSample += minute / 4;
          }
          String id = PREFIX + i;
          Request request = i % 5 == 4 ? Load.post("http://users/", id) : Load.get("http://users/", id);
          if (!inFlight.tryAcquire(10, TimeUnit.SECONDS)) {
            throw new AssertionError("256 calls in flight for 10 s: " + tally.open.size() + " open");
          }
          tally.open.add(id);
          if (i % 2 == 0) {
            workers.execute(() -> {
              account(tally, ledger, Load.execute(client, request));
              inFlight.release();
            });
          } else {
            Load.enqueue(client, request, r -> {
              account(tally, ledger, r);
              inFlight.release();
            });
          }
        }
        chaos.join(TimeUnit.SECONDS.toMillis(30));
        // Every call has an outcome within its call timeout; wait a little longer than that.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!tally.open.isEmpty() && System.nanoTime() < end) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
      } finally {
        chaos.interrupt();
        workers.shutdownNow();
        workers.awaitTermination(20, TimeUnit.SECONDS);
        Load.close(client);
      }
      long lost = tally.open.size() + tally.getsFailed.get() + tally.unrecorded.get();
      double heapDrift = drift(samples, 1);
      double threadDrift = drift(samples, 2);
      boolean pass = lost == 0 && tally.duplicatedPosts.get() == 0 && heapDrift <= 0.10 && threadDrift <= 0.10;
      StringBuilder flat = new StringBuilder();
      Map<Long, Long> heapFloors = floors(samples, 1);
      Map<Long, Long> threadFloors = floors(samples, 2);
      for (Map.Entry<Long, Long> e : heapFloors.entrySet()) {
        flat.append(String.format("m%d %.1f MB/%d threads; ", e.getKey(), e.getValue() / 1e6,
            threadFloors.get(e.getKey())));
      }
      ScenarioTable.record("18", "Soak: " + minutes + " min, " + RATE + " calls/s (1 in 5 POST, half execute, half "
              + "enqueue), random proxy faults on one backend at a time",
          "0 lost, 0 duplicated; heap after GC and thread count within 10% of minute 2's until the end",
          String.format("%d ok; %d lost (%d without outcome, %d GETs failed, %d unrecorded), first: %s; %d POSTs "
                  + "duplicated; %d GETs cut mid-body and %d POSTs failed, both seen by the caller %s; heap drift "
                  + "%.1f%%, thread drift %.1f%% (%s)",
              tally.ok.get(), lost, tally.open.size(), tally.getsFailed.get(), tally.unrecorded.get(), tally.firstLost,
              tally.duplicatedPosts.get(), tally.getsCutMidBody.get(), tally.postsFailed.get(), tally.failureKinds,
              heapDrift * 100, threadDrift * 100, flat.toString().trim()),
          pass);
      assertEquals(0, lost, "lost; first: " + tally.firstLost);
      assertEquals(0, tally.duplicatedPosts.get(), "POSTs executed twice");
      assertTrue(heapDrift <= 0.10, "heap " + flat);
      assertTrue(threadDrift <= 0.10, "threads " + flat);
    }
  }

  private static void account(Tally tally, Ledger ledger, CallResult r) {
    int received = ledger.received(r.id());
    if (r.ok()) {
      tally.ok.incrementAndGet();
      if (received == 0) {
        tally.unrecorded.incrementAndGet();
        tally.firstLost = r.id() + " succeeded but no backend recorded it";
      }
    } else if (r.method().equals("GET")) {
      if (r.failedMidBody()) {
        tally.getsCutMidBody.incrementAndGet();
      } else {
        tally.getsFailed.incrementAndGet();
        tally.firstLost = r.id() + " GET " + (r.error() != null ? r.error() : "status " + r.code());
      }
    } else {
      tally.postsFailed.incrementAndGet();
    }
    if (!r.ok()) {
      tally.failureKinds.merge(r.method() + " " + (r.error() != null ? r.error().getClass().getSimpleName()
          : "status " + r.code()), 1, Integer::sum);
    }
    if (r.method().equals("POST") && received > 1) {
      tally.duplicatedPosts.incrementAndGet();
    }
    tally.open.remove(r.id());
  }

  /** One backend at a time under a random fault for 2-8 s, then a healthy pause of 1-3 s. */
  private static void chaos(Fleet fleet, long durationNanos) {
    Random random = new Random(18);
    long end = System.nanoTime() + durationNanos;
    try {
      while (System.nanoTime() < end) {
        int victim = random.nextInt(5);
        FaultProxy proxy = fleet.proxy(victim);
        int kind = random.nextInt(7);
        switch (kind) {
          case 0 -> proxy.latency(Duration.ofMillis(200));
          case 1 -> proxy.blackHole();
          case 2 -> proxy.resetAfter(0);
          case 3 -> proxy.resetAfter(500);
          case 4 -> proxy.refuse();
          case 5 -> proxy.kill();
          default -> fleet.status(victim, 503);
        }
        TimeUnit.MILLISECONDS.sleep(2000 + random.nextInt(6000));
        proxy.pass().restart();
        fleet.status(victim, 200);
        TimeUnit.MILLISECONDS.sleep(1000 + random.nextInt(2000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * {minute, heap used after a GC, threads outside the harness}. Light on purpose: one GC and no
   * stack walk, because a sample that stalls the JVM for seconds times out every attempt in
   * flight, on every server, and the client rightly sees the whole cluster fail.
   */
  private static long[] sample(int minute) {
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return new long[] {minute, heap, clientThreads()};
  }

  /** Live threads, without the harness's (proxies, backends, load and chaos threads). */
  private static int clientThreads() {
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] all = new Thread[root.activeCount() + 64];
    int count = root.enumerate(all, true);
    int n = 0;
    for (int i = 0; i < count; i++) {
      Thread t = all[i];
      String name = t.getName();
      if (!name.startsWith("fault-proxy-") && !name.startsWith("counting-backend-") && !name.startsWith("load-")
          && !name.startsWith("HTTP-Dispatcher") && !name.startsWith("idle-timeout-task")) {
        n++;
      }
    }
    return n;
  }

  /**
   * The largest relative distance of column {@code col}'s per-minute floor from minute 2's: four
   * samples a minute, the lowest of each minute kept, so a burst of calls in flight at one
   * sample does not count, while a leak, which raises the floor, does.
   */
  private static double drift(List<long[]> samples, int col) {
    Map<Long, Long> floors = floors(samples, col);
    if (floors.isEmpty()) {
      return Double.NaN;
    }
    double base = floors.values().iterator().next();
    double worst = 0;
    for (long v : floors.values()) {
      worst = Math.max(worst, Math.abs(v - base) / base);
    }
    return worst;
  }

  /** The lowest value of column {@code col} in each minute, by minute. */
  private static Map<Long, Long> floors(List<long[]> samples, int col) {
    Map<Long, Long> floors = new java.util.TreeMap<>();
    for (long[] s : samples) {
      floors.merge(s[0], s[col], Math::min);
    }
    return floors;
  }

}
