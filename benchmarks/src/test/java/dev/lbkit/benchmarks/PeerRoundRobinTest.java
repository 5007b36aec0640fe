package dev.lbkit.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.endpoint.EndpointSelector;
import io.grpc.LoadBalancer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerRoundRobinTest {

  @Test
  void grpcRoundRobinRotatesOverEveryReadySubchannel() {
    GrpcRoundRobin.Ready ready = GrpcRoundRobin.ready(5);
    LoadBalancer.PickSubchannelArgs args = GrpcRoundRobin.pickArgs();
    List<LoadBalancer.Subchannel> picked = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      LoadBalancer.Subchannel s = ready.picker().pickSubchannel(args).getSubchannel();
      assertNotNull(s, "pick " + i + " returned no subchannel");
      picked.add(s);
    }
    Map<LoadBalancer.Subchannel, Integer> counts = new IdentityHashMap<>();
    for (LoadBalancer.Subchannel s : picked) {
      counts.merge(s, 1, Integer::sum);
    }
    assertEquals(5, counts.size());
    for (LoadBalancer.Subchannel s : ready.subchannels()) {
      assertEquals(2, counts.get(s), "picks of " + s.getAllAddresses());
    }
    // A rotation: the second five picks repeat the first five.
    for (int i = 0; i < 5; i++) {
      assertEquals(picked.get(i), picked.get(i + 5));
    }
    ready.policy().shutdown();
  }

  @Test
  void armeriaRoundRobinRotatesOverEveryEndpoint() {
    EndpointSelector selector = ArmeriaRoundRobin.selector(5);
    Map<Endpoint, Integer> counts = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      counts.merge(selector.selectNow(ArmeriaRoundRobin.NO_CONTEXT), 1, Integer::sum);
    }
    assertEquals(5, counts.size());
    for (int c : counts.values()) {
      assertEquals(2, c);
    }
  }
}
