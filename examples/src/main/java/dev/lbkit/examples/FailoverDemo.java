package dev.lbkit.examples;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.api.Server;
import dev.lbkit.examples.Demo.Attempts;
import dev.lbkit.examples.Demo.Backend;
import dev.lbkit.health.ActiveHealthCheck;
import dev.lbkit.health.HealthChecks;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.health.SlowStart;
import dev.lbkit.micrometer.LbMetrics;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbEventListener;
import dev.lbkit.okhttp.LbOkHttp;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import okhttp3.OkHttpClient;

/**
 * The demo's failover run: a steady load through power of two choices with outlier detection,
 * active checks and slow start; the first backend is killed a quarter into the run and
 * restarted halfway, and a timeline row every {@code 1 / FAILOVER_ROWS} of the run shows each
 * backend's share of the attempts as it leaves the rotation and comes back.
 *
 * <p>One instance runs once; {@link #run} is called on the demo's thread. Health changes are
 * printed from the balancer's control plane, and the first failed calls' causes from the
 * callers, between the timeline rows; {@link PrintStream} keeps each line whole.
 */
final class FailoverDemo {

  /** Concurrent callers of the steady load. */
  private static final int CALLERS = 4;
  /** How many failed calls the timeline prints the cause of; the count covers all of them. */
  private static final int PRINTED_FAILURES = 3;

  /** Indexes into {@link #marks}. */
  private static final int KILLED = 0;
  private static final int LEFT = 1;
  private static final int RESTARTED = 2;
  private static final int BACK = 3;

  private final PrintStream out;
  /** Meters of the balancer (bound for the run) and of the client. */
  private final LbMetrics metrics;
  private final List<Backend> backends;
  private final Duration length;
  private final Backend victim;
  private final long start = System.nanoTime();
  /** When the victim was killed, taken out of rotation, restarted and taken back, in nanoTime. */
  private final AtomicLongArray marks = new AtomicLongArray(4);
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();

  // The timeline's counts at the last row; demo thread only.
  private final int[] lastAttempts;
  private final int[] lastErrors;
  private int lastCalls;
  private int lastFailed;

  FailoverDemo(PrintStream out, List<Backend> backends, Duration length, LbMetrics metrics) {
    this.metrics = metrics;
    this.out = out;
    this.backends = backends;
    this.length = length;
    this.victim = backends.get(0);
    this.lastAttempts = new int[backends.size()];
    this.lastErrors = new int[backends.size()];
  }

  /** Runs the load for the run's length, prints the timeline, then the summary. */
  void run(OkHttpClient base) throws InterruptedException {
    out.printf("%nFailover, with outlier detection, active checks and slow start: steady load;"
        + " %s is killed at %.1f s and restarted at %.1f s.%n", victim.name,
        length.toMillis() / 4000.0, length.toMillis() / 2000.0);
    try (LoadBalancer lb = balancer()) {
      // Stays bound after the run: the demo prints the balancer's gauges at its end, and closes
      // the registry with them.
      metrics.bind(lb);
      Attempts attempts = new Attempts(backends);
      OkHttpClient client = LbOkHttp.wrap(base, LbConfig.builder().cluster("demo", lb)
          .listener(LbEventListener.of(attempts, metrics.listener())).build());
      StringBuilder header = new StringBuilder("   time   calls failed");
      backends.forEach(b -> header.append(String.format(" %9s", b.name)));
      out.println(header + "   (share of attempts; errors)");
      ExecutorService callers = startCallers(client, start + length.toNanos());
      printTimeline(attempts);
      callers.shutdown();
      callers.awaitTermination(10, TimeUnit.SECONDS);
      out.printf("%n%d of %d calls failed. %s left the rotation %s after it was killed, and came back"
          + " %s after its restart.%n", failed.get(), calls.get(), victim.name,
          between(marks.get(KILLED), marks.get(LEFT)), between(marks.get(RESTARTED), marks.get(BACK)));
    }
  }

  private LoadBalancer balancer() {
    return LoadBalancer.builder("demo")
        .servers(Demo.servers(backends))
        .algorithm(Algorithms.powerOfTwoChoices().build())
        .healthInput(OutlierDetection.builder()
            .baseEjectionTime(Duration.ofSeconds(1))
            .build())
        // A TCP connect check: a killed backend refuses connections, so the cheapest check
        // sees it. (HealthChecks.http() would check /health instead.)
        .healthInput(ActiveHealthCheck.builder(HealthChecks.tcp())
            .interval(Duration.ofMillis(250))
            .timeout(Duration.ofMillis(200))
            .jitter(Duration.ZERO)
            .build())
        .healthInput(SlowStart.builder()
            .window(Duration.ofMillis(1500))
            .step(Duration.ofMillis(150))
            .build())
        .listener(new LoadBalancerListener() {
          @Override
          public void onHealthChanged(String cluster, Server server, HealthState previous, HealthState current) {
            healthChanged(server, previous, current);
          }
        })
        .build();
  }

  /** Marks the victim leaving or rejoining the rotation, and prints status and check changes. */
  private void healthChanged(Server server, HealthState previous, HealthState current) {
    String name = nameOf(server);
    if (server.port() == victim.port() && previous.pickable() != current.pickable()) {
      int mark = current.pickable() ? BACK : LEFT;
      int cause = current.pickable() ? RESTARTED : KILLED;
      if (marks.get(cause) != 0) {
        marks.compareAndSet(mark, 0, System.nanoTime());
      }
    }
    if (previous.status() != current.status()) {
      out.printf("  %5.2fs  %s is now %s%n", seconds(), name, current.reason());
    } else if (previous.active() != current.active() && previous.active() != ActiveHealth.UNKNOWN) {
      out.printf("  %5.2fs  %s's health check says %s; it stays %s%n", seconds(), name,
          current.active().toString().toLowerCase(Locale.ROOT), current.status().toString().toLowerCase(Locale.ROOT));
    }
  }

  /** Starts the callers, each sending one call after another until {@code end}, in nanoTime. */
  private ExecutorService startCallers(OkHttpClient client, long end) {
    ExecutorService callers = Executors.newFixedThreadPool(CALLERS, Demo.daemon("demo-caller"));
    for (int i = 0; i < CALLERS; i++) {
      callers.execute(() -> {
        while (System.nanoTime() < end) {
          calls.incrementAndGet();
          String failure = Demo.get(client, null);
          if (failure != null && failed.incrementAndGet() <= PRINTED_FAILURES) {
            out.printf("  %5.2fs  a call failed: %s%n", seconds(), failure);
          }
        }
      });
    }
    return callers;
  }

  /** Prints a row every {@code 1 / FAILOVER_ROWS} of the run, killing and restarting the victim on the way. */
  private void printTimeline(Attempts attempts) throws InterruptedException {
    long tick = length.toNanos() / Demo.FAILOVER_ROWS;
    for (int row = 1; row <= Demo.FAILOVER_ROWS; row++) {
      sleepUntil(start + row * tick);
      out.println(row(attempts));
      if (row == Demo.FAILOVER_ROWS / 4) {
        victim.kill();
        marks.set(KILLED, System.nanoTime());
        out.printf("  %5.2fs  killed %s: its port now refuses connections%n", seconds(), victim.name);
      } else if (row == Demo.FAILOVER_ROWS / 2) {
        victim.restart();
        marks.set(RESTARTED, System.nanoTime());
        out.printf("  %5.2fs  restarted %s%n", seconds(), victim.name);
      }
    }
  }

  /** One row: calls and failed calls since the last row, then each backend's share of attempts and errors. */
  private String row(Attempts attempts) {
    int callsNow = calls.get();
    int failedNow = failed.get();
    StringBuilder line = new StringBuilder(String.format("  %5.2fs %6d %6d",
        seconds(), callsNow - lastCalls, failedNow - lastFailed));
    lastCalls = callsNow;
    lastFailed = failedNow;
    int[] delta = new int[backends.size()];
    int total = 0;
    for (int k = 0; k < backends.size(); k++) {
      int now = attempts.count(k);
      delta[k] = now - lastAttempts[k];
      lastAttempts[k] = now;
      total += delta[k];
    }
    for (int k = 0; k < backends.size(); k++) {
      int errorsNow = attempts.errors(k);
      int errors = errorsNow - lastErrors[k];
      lastErrors[k] = errorsNow;
      line.append(String.format(" %4.0f%%%s", 100.0 * delta[k] / Math.max(1, total),
          errors == 0 ? "    " : String.format(" %3d", errors)));
    }
    return line.toString();
  }

  private String nameOf(Server server) {
    return backends.stream().filter(b -> b.port() == server.port()).map(b -> b.name).findFirst().orElse(server.id());
  }

  private static String between(long from, long to) {
    return to == 0 ? "(not seen)" : String.format("%.0f ms", (to - from) / 1e6);
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  /** Seconds since the run started. */
  private double seconds() {
    return (System.nanoTime() - start) / 1e9;
  }
}
