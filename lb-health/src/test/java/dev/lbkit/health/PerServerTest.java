package dev.lbkit.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerServerTest {

  private final FakeHealthControl control = new FakeHealthControl(new FakeTicker());
  private final List<String> calls = new ArrayList<>();
  private final PerServer<String[]> states = PerServer.controlPlaneOnly(
      e -> {
        calls.add("create " + e.server().id());
        return new String[] {e.server().id()};
      },
      (state, server) -> calls.add("keep " + server.id() + " weight " + server.weight()),
      state -> calls.add("remove " + state[0]));

  @Test
  void createsInListOrderThenKeepsThenRemovesThoseThatLeft() {
    states.update(list(server("a", 1), server("b", 1)));
    String[] a = states.get("a:80");
    calls.clear();

    states.update(list(server("c", 1), server("a", 5)));

    assertEquals(List.of("create c:80", "keep a:80 weight 5", "remove b:80"), calls);
    assertSame(a, states.get("a:80"), "a kept its state");
    assertNull(states.get("b:80"));
    assertEquals(2, states.values().size());
  }

  @Test
  void aServerThatLeavesAndComesBackStartsOver() {
    states.update(list(server("a", 1)));
    String[] first = states.get("a:80");
    states.update(list());
    states.update(list(server("a", 1)));

    assertEquals(List.of("create a:80", "remove a:80", "create a:80"), calls);
    assertEquals("a:80", states.get("a:80")[0]);
    assertEquals(false, first == states.get("a:80"), "a new state, not the old one");
  }

  @Test
  void clearDropsEveryStateWithoutRemoveCallbacks() {
    states.update(list(server("a", 1), server("b", 1)));
    calls.clear();

    states.clear();

    assertEquals(List.of(), calls);
    assertEquals(0, states.values().size());
  }

  private static Server server(String host, int weight) {
    return Server.builder(host, 80).weight(weight).build();
  }

  private List<Endpoint> list(Server... servers) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (Server s : servers) {
      endpoints.add(control.endpoint(s));
    }
    return endpoints;
  }
}
