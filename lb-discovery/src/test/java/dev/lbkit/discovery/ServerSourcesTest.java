package dev.lbkit.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.testing.FakeServerSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
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

  @Test
  void fixedSourceNamesTheIndexOfANullServer() {
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> ServerSources.of(Arrays.asList(Server.of("10.0.0.1", 80), null)));
    assertEquals("servers[1] must not be null", e.getMessage());
    e = assertThrows(NullPointerException.class, () -> ServerSources.of((Server) null));
    assertEquals("servers[0] must not be null", e.getMessage());
    e = assertThrows(NullPointerException.class, () -> ServerSources.of((List<Server>) null));
    assertEquals("servers must not be null", e.getMessage());
  }

  @Test
  void mergedSourceNamesTheIndexOfANullServerPushedByOneOfItsSources() {
    FakeServerSource first = new FakeServerSource();
    FakeListener listener = new FakeListener();
    try (ServerSource merged = ServerSources.merge(first)) {
      merged.start(listener);
      NullPointerException e = assertThrows(NullPointerException.class,
          () -> first.push(Arrays.asList(null, Server.of("10.0.0.1", 80))));
      assertEquals("servers[0] must not be null", e.getMessage());
      assertEquals(0, listener.pushes());
    }
  }

  @Test
  void mergedSourcePushesTheConcatenationOfTheLatestLists() {
    FakeServerSource zoneA = new FakeServerSource();
    FakeServerSource zoneB = new FakeServerSource();
    FakeListener listener = new FakeListener();
    ServerSource merged = ServerSources.merge(zoneA, zoneB);
    merged.start(listener);
    zoneB.push(List.of(Server.of("10.0.1.1", 80)));
    assertEquals(List.of("10.0.1.1:80"), listener.lastIds(), "a source that has not pushed adds nothing");
    zoneA.push(List.of(Server.of("10.0.0.1", 80), Server.of("10.0.0.2", 80)));
    assertEquals(List.of("10.0.0.1:80", "10.0.0.2:80", "10.0.1.1:80"), listener.lastIds());
    zoneB.push(List.of());
    assertEquals(List.of("10.0.0.1:80", "10.0.0.2:80"), listener.lastIds());
    merged.close();
    assertEquals(1, zoneA.closeCount());
    assertEquals(1, zoneB.closeCount());
  }

  @Test
  void mergedSourcePassesOnEachSourcesDrainingServers() {
    FakeServerSource zoneA = new FakeServerSource();
    FakeServerSource zoneB = new FakeServerSource();
    List<List<String>> draining = new ArrayList<>();
    FakeListener listener = new FakeListener() {
      @Override
      public synchronized void onServers(List<Server> servers, Collection<Server> drainingNow) {
        draining.add(drainingNow.stream().map(Server::id).sorted().toList());
        super.onServers(servers);
      }
    };
    Server a1 = Server.of("10.0.0.1", 80);
    Server b1 = Server.of("10.0.1.1", 80);
    Server b2 = Server.of("10.0.1.2", 80);
    try (ServerSource merged = ServerSources.merge(zoneA, zoneB)) {
      merged.start(listener);
      zoneA.push(List.of(a1), List.of(a1));
      zoneB.push(List.of(b1, b2), List.of(b2));
      assertEquals(List.of("10.0.0.1:80", "10.0.1.1:80", "10.0.1.2:80"), listener.lastIds());
      assertEquals(List.of("10.0.0.1:80", "10.0.1.2:80"), draining.get(draining.size() - 1));
      zoneA.push(List.of(a1));
      assertEquals(List.of("10.0.1.2:80"), draining.get(draining.size() - 1), "a plain list ends that source's drains");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> zoneA.push(List.of(a1), List.of(b1)));
      assertEquals("draining: 10.0.1.1:80 is not in servers", e.getMessage(), "checked against the pushing source's own list");
    }
  }

  @Test
  void mergeNeedsASource() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ServerSources::merge);
    assertEquals("sources must not be empty, was []", e.getMessage());
  }
}
