package dev.lbkit.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.api.Scheduler;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.testing.FakeScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A worked example of a custom {@link ServerSource} for a registry this module does not cover
 * (Consul's HTTP API, etcd, Eureka, the Kubernetes API), and the tests that pin its behaviour.
 *
 * <p>The rules a source follows, all shown in {@link RegistryServerSource}:
 * <ol>
 *   <li>Push <em>full</em> lists; the runtime diffs them, so servers that stay keep their
 *       statistics.
 *   <li>On a failure, push nothing: the runtime keeps the last list. Log it; call {@code
 *       onError} only when there is no list at all yet.
 *   <li>Never throw from a refresh, and schedule the next one in all cases.
 *   <li>Stop in {@code close()}, idempotently.
 * </ol>
 */
class CustomSourceExampleTest {

  /** What a registry client returns: instances with their metadata. Stands for a real client. */
  interface RegistryClient {
    /** The instances of a service; throws when the registry cannot be reached. */
    List<Map<String, String>> instances(String service) throws IOException;
  }

  /**
   * Polls a registry every {@code interval} and turns its instances into servers. Instances
   * carry {@code host}, {@code port} and optional {@code weight} and {@code zone} fields; bad
   * instances are skipped, not fatal.
   */
  static final class RegistryServerSource implements ServerSource {
    private final RegistryClient client;
    private final String service;
    private final Duration interval;
    private final Scheduler scheduler;
    private Listener listener;
    private Scheduler.Cancellable next;
    private boolean closed;
    private boolean hadList;

    RegistryServerSource(RegistryClient client, String service, Duration interval, Scheduler scheduler) {
      this.client = client;
      this.service = service;
      this.interval = interval;
      this.scheduler = scheduler;
    }

    @Override
    public synchronized void start(Listener listener) {
      this.listener = listener;
      next = scheduler.schedule(this::refresh, 0);
    }

    private synchronized void refresh() {
      if (closed) {
        return;
      }
      try {
        List<Server> servers = new ArrayList<>();
        for (Map<String, String> instance : client.instances(service)) {
          try {
            Server.Builder b = Server.builder(instance.get("host"), Integer.parseInt(instance.get("port")))
                .weight(Integer.parseInt(instance.getOrDefault("weight", "1")));
            if (instance.containsKey("zone")) {
              b.zone(instance.get("zone"));
            }
            servers.add(b.build());
          } catch (RuntimeException badInstance) {
            // A real source logs it: one bad registration must not hide the others.
          }
        }
        hadList = true;
        listener.onServers(List.copyOf(servers));
      } catch (IOException | RuntimeException e) {
        // Keep the last list: push nothing. Without any list yet, tell the runtime.
        if (!hadList) {
          listener.onError(e);
        }
      } finally {
        next = scheduler.schedule(this::refresh, interval.toNanos());
      }
    }

    @Override
    public synchronized void close() {
      closed = true;
      if (next != null) {
        next.cancel();
      }
    }
  }

  /** A registry whose answers the test sets. */
  static final class FakeRegistry implements RegistryClient {
    volatile List<Map<String, String>> instances = List.of();
    volatile boolean down;

    @Override
    public List<Map<String, String>> instances(String service) throws IOException {
      if (down) {
        throw new IOException("registry unreachable");
      }
      return instances;
    }
  }

  @Test
  void pushesFullListsKeepsTheLastOneWhenTheRegistryIsDownAndSkipsBadInstances() {
    FakeRegistry registry = new FakeRegistry();
    FakeScheduler scheduler = new FakeScheduler();
    FakeListener listener = new FakeListener();
    registry.instances = List.of(
        Map.of("host", "10.0.0.1", "port", "80", "weight", "2", "zone", "a"),
        Map.of("host", "10.0.0.2", "port", "not-a-port"));
    try (ServerSource source = new RegistryServerSource(registry, "users", Duration.ofSeconds(10), scheduler)) {
      source.start(listener);
      scheduler.runDue();
      assertEquals(List.of(Server.builder("10.0.0.1", 80).weight(2).zone("a").build()), listener.last());

      registry.down = true;
      scheduler.advance(Duration.ofSeconds(10));
      assertEquals(1, listener.pushes(), "registry down: the last list stays");
      assertEquals(List.of(), listener.errors, "no error while a list exists");

      registry.down = false;
      registry.instances = List.of(Map.of("host", "10.0.0.3", "port", "80"));
      scheduler.advance(Duration.ofSeconds(10));
      assertEquals(List.of("10.0.0.3:80"), listener.lastIds());
    }
    assertEquals(0, scheduler.pending());
  }
}
