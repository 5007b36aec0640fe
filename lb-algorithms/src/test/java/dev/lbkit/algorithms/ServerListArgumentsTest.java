package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lbkit.api.Server;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Server lists given to public methods: a null is reported by the list's name and its index. */
class ServerListArgumentsTest {

  private static final Server A = Server.of("10.0.0.1", 80);
  private static final Server B = Server.of("10.0.0.2", 80);

  @Test
  void builderNamesTheIndexOfANullServer() {
    assertNull("servers[2] must not be null", () -> LoadBalancer.builder("c").servers(Arrays.asList(A, B, null)));
    assertNull("servers[1] must not be null", () -> LoadBalancer.builder("c").servers(A, null, B));
    assertNull("servers must not be null", () -> LoadBalancer.builder("c").servers((List<Server>) null));
    assertNull("servers must not be null", () -> LoadBalancer.builder("c").servers((Server[]) null));
  }

  @Test
  void updateServersNamesTheIndexOfANullServerAndChangesNothing() {
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(A).build()) {
      assertNull("servers[0] must not be null", () -> lb.updateServers(Arrays.asList(null, B)));
      assertNull("servers must not be null", () -> lb.updateServers(null));
      assertEquals(List.of(A.id()), lb.servers().stream().map(v -> v.server().id()).collect(Collectors.toList()));
    }
  }

  private static void assertNull(String expected, Runnable call) {
    NullPointerException e = assertThrows(NullPointerException.class, call::run);
    assertEquals(expected, e.getMessage());
  }
}
