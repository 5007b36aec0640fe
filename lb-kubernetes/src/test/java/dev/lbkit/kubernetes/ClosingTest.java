package dev.lbkit.kubernetes;

import static dev.lbkit.kubernetes.Slices.ready;
import static dev.lbkit.kubernetes.Slices.users;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Closing a source releases what it started: its threads, its client and its connections. */
class ClosingTest {

  /** The source's own threads: informer tasks and HTTP work. */
  private static final String OWN = EndpointSliceSource.THREAD_NAME_PREFIX;

  /**
   * The JDK HttpClient's selector threads, one per client: counted so that a failure shows them,
   * not asserted (see {@code OwnedClient}: Java 17 ends a closed client's only once it is collected).
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

  /** Waits, with a bound, until the count of threads under {@code prefix} is {@code expected}. */
  private static void awaitThreads(String prefix, int expected, long boundSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(boundSeconds);
    while (threadsByPrefix().get(prefix) != expected) {
      if (System.nanoTime() > deadline) {
        fail("expected " + expected + " threads named " + prefix + "* after close, have " + threadsByPrefix());
      }
      System.gc();
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  @Test
  void closingTheSourceEndsItsOwnThreads() throws InterruptedException {
    try (MockApiServer api = new MockApiServer()) {
      api.apply(users("users-a", ready("10.0.0.1", "zone-a")));
      int before = threadsByPrefix().get(OWN);

      ServerSource source = KubernetesSources.endpointSlices(MockApiServer.NAMESPACE, "users")
          .portName("http").config(api.config()).build();
      RecordingListener listener = new RecordingListener();
      source.start(listener);
      listener.awaitLast(Server.builder("10.0.0.1", 8080).zone("zone-a").build());
      assertTrue(threadsByPrefix().get(OWN) > before, "the source runs threads of its own: " + threadsByPrefix());

      source.close();
      source.close();   // idempotent

      // They end at once; the bound only absorbs a loaded machine.
      awaitThreads(OWN, before, 10);
    }
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
