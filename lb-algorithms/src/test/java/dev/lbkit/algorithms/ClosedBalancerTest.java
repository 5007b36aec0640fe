package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lbkit.api.PickContext;
import dev.lbkit.api.PickerClosedException;
import dev.lbkit.api.Server;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pick after close() is the caller's error, with a reason of its own, never "no server". */
class ClosedBalancerTest {

  private final List<Server> servers = HealthFakes.servers(3, 0, 0);

  @Test
  void aPickAfterCloseSaysTheBalancerIsClosed() {
    LoadBalancer lb = LoadBalancer.builder("orders").servers(servers).build();
    lb.close();
    PickerClosedException e = assertThrows(PickerClosedException.class, lb::pick);
    assertEquals("orders: load balancer closed; no picks after close()", e.getMessage());
    assertEquals("orders", e.cluster());
  }

  @Test
  void aPickPreferringAServerAfterCloseIsRefusedTheSameWay() {
    LoadBalancer lb = LoadBalancer.builder("orders").servers(servers).build();
    lb.close();
    PickContext sticky = PickContext.builder().preferId(servers.get(1).id()).build();
    assertEquals("orders: load balancer closed; no picks after close()",
        assertThrows(IllegalStateException.class, () -> lb.pick(sticky)).getMessage());
  }
}
