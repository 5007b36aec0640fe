package dev.lbkit.examples;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.api.ServerView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A custom {@link ServerSource}: a balancer fed by a service registry that it polls, the way a
 * Eureka or Consul client does.
 *
 * <p>{@link Registry} stands in for the real registry; {@link PollingSource} is the part to
 * copy. It asks the registry on a timer, pushes the <em>full</em> list only when it changed, and
 * reports a failed query through {@link ServerSource.Listener#onError}, after which the balancer
 * keeps the last list it got. For a registry with a watch API, call {@code onServers} from the
 * watch callback instead of polling; the runtime serializes the updates.
 *
 * <p>{@link #main} shows the runtime's side of the contract: a server that stays in the list
 * keeps its statistics (here its latency EWMA) across updates, because the runtime diffs
 * successive lists by address.
 */
public final class CustomSourceExample {

  private CustomSourceExample() {}

  /** Runs the example: two servers, a third registers, the first deregisters. */
  public static void main(String[] args) {
    Registry registry = new Registry();
    Server a = Server.of("10.0.0.1", 8080);
    Server b = Server.of("10.0.0.2", 8080);
    Server c = Server.of("10.0.0.3", 8080);
    registry.register("orders", a);
    registry.register("orders", b);

    try (LoadBalancer orders = LoadBalancer.builder("orders")
        .trackLatency(true) // round robin reads no latency; the example shows the EWMA surviving
        .source(new PollingSource(() -> registry.lookup("orders"), Duration.ofMillis(50)))
        .build()) {
      report(orders, "start", 100);

      registry.register("orders", c);
      awaitServers(orders, 3);
      report(orders, "after 10.0.0.3 registered", 150);

      long ewmaBefore = view(orders, b).latencyEwmaNanos();
      registry.deregister("orders", a);
      awaitServers(orders, 2);
      System.out.printf("10.0.0.2's latency EWMA: %.2f ms before the update, %.2f ms after it%n",
          ewmaBefore / 1e6, view(orders, b).latencyEwmaNanos() / 1e6);
      report(orders, "after 10.0.0.1 deregistered", 100);
    }
  }

  /**
   * Sends {@code calls} simulated calls (each server answers in 1 ms times its last address
   * byte) and prints the servers with their share of those calls and their EWMA.
   */
  private static void report(LoadBalancer lb, String when, int calls) {
    Map<String, Integer> picks = new TreeMap<>();
    for (int i = 0; i < calls; i++) {
      Selection selection = lb.pick();
      String host = selection.server().host();
      long latencyNanos = Duration.ofMillis(Long.parseLong(host.substring(host.lastIndexOf('.') + 1))).toNanos();
      selection.complete(latencyNanos, Outcome.SUCCESS);
      picks.merge(selection.server().id(), 1, Integer::sum);
    }
    System.out.println(when + ":");
    for (ServerView v : lb.servers()) {
      System.out.printf("  %-14s %3d of %d calls, latency EWMA %.2f ms%n",
          v.server().id(), picks.getOrDefault(v.server().id(), 0), calls, v.latencyEwmaNanos() / 1e6);
    }
  }

  private static ServerView view(LoadBalancer lb, Server server) {
    return lb.servers().stream().filter(v -> v.server().id().equals(server.id())).findFirst().orElseThrow();
  }

  /** Waits until the balancer lists {@code count} servers, for at most five seconds. */
  static void awaitServers(LoadBalancer lb, int count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (lb.servers().size() != count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("expected " + count + " servers, have " + lb.servers());
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /** An in-memory service registry: a stand-in for Consul, etcd or Eureka. Thread-safe. */
  static final class Registry {
    private final Map<String, Set<Server>> services = new ConcurrentHashMap<>();

    /** Adds {@code server} to {@code service}. */
    void register(String service, Server server) {
      services.computeIfAbsent(service, s -> ConcurrentHashMap.newKeySet()).add(server);
    }

    /** Removes {@code server} from {@code service}. */
    void deregister(String service, Server server) {
      services.getOrDefault(service, Set.of()).remove(server);
    }

    /** The servers of {@code service} now, in a stable order. */
    List<Server> lookup(String service) {
      return services.getOrDefault(service, Set.of()).stream()
          .sorted((x, y) -> x.id().compareTo(y.id()))
          .collect(Collectors.toUnmodifiableList());
    }
  }

  // README:source
  /** Polls a registry query on a timer and pushes each new full list to the balancer. */
  static final class PollingSource implements ServerSource {
    private final Supplier<List<Server>> query;
    private final Duration interval;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "registry-poller");
      t.setDaemon(true);
      return t;
    });
    private Listener listener;
    private List<Server> last;

    PollingSource(Supplier<List<Server>> query, Duration interval) {
      this.query = Objects.requireNonNull(query, "query");
      this.interval = Objects.requireNonNull(interval, "interval");
    }

    @Override
    public void start(Listener listener) {
      this.listener = listener;
      poll();                                    // the balancer has servers once build() returns
      timer.scheduleWithFixedDelay(this::poll, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Asks the registry once; pushes the list if it changed. */
    synchronized void poll() {
      try {
        List<Server> now = query.get();
        if (!now.equals(last)) {
          last = now;
          listener.onServers(now);               // always the full list: the runtime diffs it
        }
      } catch (RuntimeException e) {
        listener.onError(e);                     // the balancer keeps the last list
      }
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }
  }
  // README:end
}
