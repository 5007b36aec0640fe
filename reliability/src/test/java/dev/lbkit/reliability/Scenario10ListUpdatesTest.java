package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Row 10: 10⁴ server-list updates (shared by six algorithms and two ways of publishing; 10⁵
 * for each in the soak) while three threads pick, through the real {@link LoadBalancer}.
 *
 * <p><b>What "published" means.</b> {@link LoadBalancer#updateServers}'s javadoc promises that a
 * server that leaves gets no pick once the call returns, unless another thread is applying a
 * change at that moment, in which case that thread publishes it; and the balancer publishes the
 * new picker before it calls {@link LoadBalancerListener#onServersChanged}. So the scenario runs
 * two ways:
 *
 * <ul>
 *   <li><b>one updater</b>: a removal is published when {@code updateServers} returns. Server
 *       {@code k} joins in update {@code k - W} and leaves in update {@code k + 1}; after update
 *       {@code k} returns, the updater raises a watermark to {@code k}. A pick that read watermark
 *       {@code m} before it began must return a server numbered {@code ≥ m}.
 *   <li><b>two updater threads</b>, taking turns under a lock so that lists apply in their order:
 *       a removal is published when the listener hears of it. The listener stamps each server's
 *       last event (added or removed) with a global sequence; a pick that read sequence {@code g}
 *       before it began fails the check when, after the pick, its server's last event is a
 *       removal stamped {@code ≤ g}. (Events follow publication: a list applied out of order
 *       would re-add servers that the snapshot offers before the listener hears of them.)
 * </ul>
 *
 * Every pick is completed, as a caller must, so load-aware algorithms see real in-flight counts.
 */
class Scenario10ListUpdatesTest {

  /**
   * Updates per algorithm and way of publishing: 10⁴ in all over six algorithms and two ways
   * (10⁵ per algorithm and way in the soak).
   */
  private static final int UPDATES = (int) Profile.pick(10_000 / 12 + 1, 100_000);
  private static final int PICKERS = 3;
  /** Servers in each list: the window slides by one server per update. */
  private static final int WINDOW = 8;

  private static final String THRESHOLD = "0 exceptions; 0 picks of a server whose removal was published before the pick began";

  private static Map<String, Supplier<Algorithm>> algorithms() {
    // Hashing tables are kept small: each update rebuilds them, 10⁴ times.
    return Map.of(
        "round robin", Algorithms::roundRobin,
        "smooth WRR", Algorithms::smoothWeightedRoundRobin,
        "least connections", Algorithms::leastConnections,
        "P2C", () -> Algorithms.powerOfTwoChoices().build(),
        "ring hash", () -> Algorithms.ringHash().virtualNodesPerServer(16).build(),
        "Maglev", () -> Algorithms.maglev().tableSize(97).build());
  }

  @Test
  void aRemovedServerIsNeverPickedAfterUpdateServersReturns() throws Exception {
    long picks = 0;
    long violations = 0;
    long exceptions = 0;
    List<String> errors = new ArrayList<>();
    for (Map.Entry<String, Supplier<Algorithm>> a : new TreeMap<>(algorithms()).entrySet()) {
      Result r = oneUpdater(a.getKey(), a.getValue().get());
      picks += r.picks.get();
      violations += r.violations.get();
      exceptions += r.exceptions.get();
      errors.addAll(r.errors);
    }
    boolean pass = violations == 0 && exceptions == 0;
    ScenarioTable.record("10 return", 6 * UPDATES + " list updates (" + UPDATES + " per algorithm, 6 algorithms), "
        + PICKERS + " picker threads; published = updateServers returned",
        THRESHOLD, picks + " picks, " + exceptions + " exceptions, " + violations + " stale picks", pass);
    assertEquals(List.of(), errors, "the first exceptions and stale picks");
  }

  @Test
  void aRemovedServerIsNeverPickedAfterTheListenerHearsOfIt() throws Exception {
    long picks = 0;
    long violations = 0;
    long exceptions = 0;
    List<String> errors = new ArrayList<>();
    for (Map.Entry<String, Supplier<Algorithm>> a : new TreeMap<>(algorithms()).entrySet()) {
      Result r = twoUpdaters(a.getKey(), a.getValue().get());
      picks += r.picks.get();
      violations += r.violations.get();
      exceptions += r.exceptions.get();
      errors.addAll(r.errors);
    }
    boolean pass = violations == 0 && exceptions == 0;
    ScenarioTable.record("10 listener", 6 * UPDATES + " list updates from 2 threads in turn (" + UPDATES
        + " per algorithm, 6 algorithms), " + PICKERS + " picker threads; published = onServersChanged",
        THRESHOLD, picks + " picks, " + exceptions + " exceptions, " + violations + " stale picks", pass);
    assertEquals(List.of(), errors, "the first exceptions and stale picks");
  }

  /** Server {@code k}: distinct ports on loopback; nothing connects to them. */
  private static Server server(int k) {
    return Server.builder("127.0.0." + (1 + k / 50_000), 1024 + k % 50_000).weight(1 + k % 5).build();
  }

  private static int number(Server s) {
    int octet = Integer.parseInt(s.host().substring(s.host().lastIndexOf('.') + 1));
    return (octet - 1) * 50_000 + s.port() - 1024;
  }

  private static List<Server> window(int first) {
    List<Server> list = new ArrayList<>(WINDOW);
    for (int k = first; k < first + WINDOW; k++) {
      list.add(server(k));
    }
    return list;
  }

  private Result oneUpdater(String name, Algorithm algorithm) throws Exception {
    AtomicInteger watermark = new AtomicInteger();
    Result result = new Result();
    try (LoadBalancer lb = LoadBalancer.builder("s10-" + name.replace(' ', '-')).algorithm(algorithm)
        .servers(window(0)).build()) {
      runPickers(result, () -> {
        for (int k = 1; k <= UPDATES; k++) {
          lb.updateServers(window(k));
          watermark.set(k);
        }
      }, () -> {
        int floor = watermark.get();
        Selection s = lb.pick(PickContext.ofKey(Long.toString(ThreadLocalRandom.current().nextLong())));
        int n = number(s.server());
        s.complete(1_000, Outcome.SUCCESS);
        if (n < floor) {
          result.violation(name + ": picked server " + n + " after update " + floor + " returned");
        }
      });
    }
    return result;
  }

  private Result twoUpdaters(String name, Algorithm algorithm) throws Exception {
    AtomicLong sequence = new AtomicLong();
    // Per server: (sequence << 1) | 1 for its last removal, sequence << 1 for its last addition.
    AtomicLongArray lastEvent = new AtomicLongArray(UPDATES + WINDOW + 1);
    LoadBalancerListener listener = new LoadBalancerListener() {
      @Override
      public void onServersChanged(String cluster, List<Server> added, List<Server> removed) {
        long seq = sequence.incrementAndGet();
        for (Server s : added) {
          lastEvent.set(number(s), seq << 1);
        }
        for (Server s : removed) {
          lastEvent.set(number(s), (seq << 1) | 1);
        }
      }
    };
    Result result = new Result();
    AtomicInteger next = new AtomicInteger();
    try (LoadBalancer lb = LoadBalancer.builder("s10l-" + name.replace(' ', '-')).algorithm(algorithm)
        .servers(window(0)).listener(listener).build()) {
      // Two threads update, but each takes its window and applies it under one lock, so lists are
      // applied in the order they are numbered. Without the lock a thread descheduled between
      // taking window k and applying it re-adds servers removed long before; the snapshot then
      // offers them before the listener hears of the re-addition (events follow publication),
      // which is the contract, not a stale pick.
      Object order = new Object();
      Runnable updater = () -> {
        while (true) {
          synchronized (order) {
            int k = next.incrementAndGet();
            if (k > UPDATES) {
              return;
            }
            lb.updateServers(window(k));
          }
        }
      };
      runPickers(result, updater, updater, () -> {
        long began = sequence.get();
        Selection s = lb.pick(PickContext.ofKey(Long.toString(ThreadLocalRandom.current().nextLong())));
        int n = number(s.server());
        s.complete(1_000, Outcome.SUCCESS);
        long event = lastEvent.get(n);
        if ((event & 1) == 1 && (event >>> 1) <= began) {
          result.violation(name + ": picked server " + n + " removed at event " + (event >>> 1)
              + ", before the pick began at event " + began);
        }
      });
    }
    return result;
  }

  private static void runPickers(Result result, Runnable... updatersThenPick) throws Exception {
    int updaters = updatersThenPick.length - 1;
    Runnable pick = updatersThenPick[updaters];
    ExecutorService pool = Executors.newFixedThreadPool(PICKERS + updaters);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger updatersLeft = new AtomicInteger(updaters);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int u = 0; u < updaters; u++) {
        Runnable updater = updatersThenPick[u];
        futures.add(pool.submit(() -> {
          await(start);
          try {
            updater.run();
          } catch (RuntimeException e) {
            result.error("updater: " + e);
          } finally {
            updatersLeft.decrementAndGet();
          }
        }));
      }
      for (int t = 0; t < PICKERS; t++) {
        futures.add(pool.submit(() -> {
          await(start);
          // Pick for as long as updates run, and a little after the last one.
          int tail = 1_000;
          for (int i = 1; updatersLeft.get() > 0 || tail-- > 0; i++) {
            if (i % 16 == 0) {
              // On a 2-core machine spinning pickers would starve the updater they race with.
              Thread.yield();
            }
            try {
              pick.run();
              result.picks.incrementAndGet();
            } catch (RuntimeException e) {
              result.error("pick: " + e);
            }
          }
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(result.picks.get() > 0, "no picks ran");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What one run saw; shared by its threads. */
  private static final class Result {
    final AtomicLong picks = new AtomicLong();
    final AtomicLong violations = new AtomicLong();
    /** The first few violations and every exception, for the failure message. */
    final List<String> errors = Collections.synchronizedList(new ArrayList<>());

    void violation(String what) {
      if (violations.incrementAndGet() <= 10) {
        errors.add(what);
      }
    }

    final AtomicLong exceptions = new AtomicLong();

    void error(String what) {
      if (exceptions.incrementAndGet() <= 10) {
        errors.add(what);
      }
    }
  }
}
