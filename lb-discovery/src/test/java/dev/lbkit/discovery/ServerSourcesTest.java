package dev.lbkit.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ServerSourcesTest {

  @Test
  void fixedSourcePushesItsListOnce() {
    FakeListener listener = new FakeListener();
    List<Server> servers = List.of(Server.builder("10.0.0.1", 80).zone("a").build(), Server.of("10.0.0.2", 80));
    try (ServerSource source = ServerSources.of(servers.toArray(new Server[0]))) {
      source.start(listener);
    }
    assertEquals(List.of(servers), listener.lists);
  }

  /** A source that pushes when the test says so. */
  static final class FakeSource implements ServerSource {
    Listener listener;
    final AtomicInteger closed = new AtomicInteger();

    @Override
    public void start(Listener listener) {
      this.listener = listener;
    }

    @Override
    public void close() {
      closed.incrementAndGet();
    }
  }

  @Test
  void mergedSourcePushesTheConcatenationOfTheLatestLists() {
    FakeSource zoneA = new FakeSource();
    FakeSource zoneB = new FakeSource();
    FakeListener listener = new FakeListener();
    ServerSource merged = ServerSources.merge(zoneA, zoneB);
    merged.start(listener);
    zoneB.listener.onServers(List.of(Server.of("10.0.1.1", 80)));
    assertEquals(List.of("10.0.1.1:80"), listener.lastIds(), "a source that has not pushed adds nothing");
    zoneA.listener.onServers(List.of(Server.of("10.0.0.1", 80), Server.of("10.0.0.2", 80)));
    assertEquals(List.of("10.0.0.1:80", "10.0.0.2:80", "10.0.1.1:80"), listener.lastIds());
    zoneB.listener.onServers(List.of());
    assertEquals(List.of("10.0.0.1:80", "10.0.0.2:80"), listener.lastIds());
    merged.close();
    assertEquals(1, zoneA.closed.get());
    assertEquals(1, zoneB.closed.get());
  }

  @Test
  void mergeNeedsASource() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ServerSources::merge);
    assertEquals("sources must not be empty, was []", e.getMessage());
  }
}
