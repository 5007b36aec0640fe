package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lbkit.algorithms.LoadBalancer;
import java.io.IOException;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** A call to a cluster whose balancer was closed fails with a reason of its own, not "no server". */
class ClosedClusterTest {

  @Test
  void aCallToAClosedBalancerFailsWithReasonClosed() throws IOException {
    try (Backends backends = Backends.start(2)) {
      LoadBalancer lb = Backends.roundRobin("user-service", backends.all());
      OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().cluster("user-service", lb).build());
      lb.close();
      LbException e = assertThrows(LbException.class, () -> BalancingTest.get(client, "http://user-service/"));
      assertEquals(LbException.Reason.CLOSED, e.reason());
      assertEquals("user-service", e.cluster());
      assertEquals("user-service: load balancer closed; no picks after close()", e.getMessage());
      assertEquals(0, LbOkHttp.counters(client).get("user-service").noServer(), "a closed balancer is not a lack of servers");
    }
  }
}
