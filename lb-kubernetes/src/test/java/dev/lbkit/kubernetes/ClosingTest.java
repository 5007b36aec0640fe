package dev.lbkit.kubernetes;

import static dev.lbkit.kubernetes.Slices.ready;
import static dev.lbkit.kubernetes.Slices.users;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Closing a source releases what it started: its threads, its client and its connections, the
 * last counted by the kernel ({@link Connections}).
 */
class ClosingTest {

  /** The source's own threads: informer tasks and HTTP work. */
  private static final String OWN = EndpointSliceSource.THREAD_NAME_PREFIX;

  /**
   * The JDK HttpClient's selector threads, one per client, {@code HttpClient-N-SelectorManager}.
   * Java 17 ends a closed client's only once the client is collected (see {@code
   * WebSocketTrackingHttpClient}), so the test asks for collections while it waits.
   */
  private static final String JDK_SELECTOR = "HttpClient-";

  private static final List<String> PREFIXES = List.of(OWN, JDK_SELECTOR);

  private static Map<String, Integer> threadsByPrefix() {
    Map<String, Integer> counts = new TreeMap<>();
    for (String prefix : PREFIXES) {
      counts.put(prefix, 0);
    }
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      for (String prefix : PREFIXES) {
        if (t.isAlive() && t.getName().startsWith(prefix)) {
          counts.merge(prefix, 1, Integer::sum);
        }
      }
    }
    return counts;
  }

  @Test
  void closingTheSourceEndsItsThreadsAndConnections() throws Exception {
    // A Service of its own, so that threads of other tests' sources, still ending, do not count.
    String own = OWN + MockApiServer.NAMESPACE + "/closing";
    try (MockApiServer api = new MockApiServer()) {
      api.apply(Slices.slice("closing-a", "closing", "IPv4", List.of(Slices.port("http", 8080)), ready("10.0.0.1", "zone-a")));
      assertEquals(0, count(own));
      Set<Thread> selectorsBefore = selectorThreads();
      Set<Integer> connectionsBefore = Connections.localPortsTo(api.port());

      ServerSource source = KubernetesSources.endpointSlices(MockApiServer.NAMESPACE, "closing")
          .portName("http").config(api.config()).build();
      RecordingListener listener = new RecordingListener();
      source.start(listener);
      listener.awaitLast(Server.builder("10.0.0.1", 8080).zone("zone-a").build());
      assertTrue(count(own) > 0, "the source runs threads of its own: " + threadsByPrefix());
      Set<Thread> selectors = selectorThreads();
      selectors.removeAll(selectorsBefore);
      Set<Integer> connections = Connections.localPortsTo(api.port());
      connections.removeAll(connectionsBefore);
      assertEquals(1, selectors.size(), "the source's client has one selector thread: " + threadsByPrefix());
      if (Connections.available()) {
        assertFalse(connections.isEmpty(), "the source's client is connected to the API server (the watch)");
      }

      source.close();
      source.close();   // idempotent

      // Its own threads end at once; the bound only absorbs a loaded machine.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (count(own) != 0) {
        if (System.nanoTime() > deadline) {
          fail("threads named " + own + "* still run after close: " + threadsByPrefix());
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
      // The JDK client's selector thread and connections end once the client is collected (Java
      // 17; at once on 21): nothing of the source may keep it reachable.
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (selectors.stream().anyMatch(Thread::isAlive) || !disjoint(connections, Connections.localPortsTo(api.port()))) {
        if (System.nanoTime() > deadline) {
          fail("30 s after close, selector alive: " + selectors.stream().filter(Thread::isAlive).map(Thread::getName).toList()
              + "; connections still open from local ports " + intersection(connections, Connections.localPortsTo(api.port())));
        }
        System.gc();
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
  }

  private static Set<Thread> selectorThreads() {
    Set<Thread> selectors = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith(JDK_SELECTOR) && t.getName().endsWith("-SelectorManager")) {
        selectors.add(t);
      }
    }
    return selectors;
  }

  private static boolean disjoint(Set<Integer> a, Set<Integer> b) {
    return intersection(a, b).isEmpty();
  }

  private static Set<Integer> intersection(Set<Integer> a, Set<Integer> b) {
    Set<Integer> both = new HashSet<>(a);
    both.retainAll(b);
    return both;
  }

  private static int count(String prefix) {
    int n = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith(prefix)) {
        n++;
      }
    }
    return n;
  }

  @Test
  void aClientTheCallerGaveIsNotClosed() {
    try (MockApiServer api = new MockApiServer()) {
      api.apply(users("users-a", ready("10.0.0.1", "zone-a")));
      RecordingListener listener = new RecordingListener();
      try (ServerSource source = KubernetesSources.endpointSlices(MockApiServer.NAMESPACE, "users")
          .portName("http").client(api.client()).build()) {
        source.start(listener);
        listener.awaitLast(Server.builder("10.0.0.1", 8080).zone("zone-a").build());
      }
      assertEquals(1, api.client().discovery().v1().endpointSlices().inNamespace(MockApiServer.NAMESPACE).list().getItems().size(),
          "the caller's client still works");
    }
  }

  @Test
  void aSourceClosedBeforeStartStartsNothing() {
    Map<String, Integer> before = threadsByPrefix();
    ServerSource source = KubernetesSources.endpointSlices("prod", "users").build();
    source.close();
    RecordingListener listener = new RecordingListener();
    source.start(listener);
    assertEquals(before, threadsByPrefix());
    assertEquals(List.of(), listener.pushes());
    assertEquals(List.of(), listener.errors());
  }
}
