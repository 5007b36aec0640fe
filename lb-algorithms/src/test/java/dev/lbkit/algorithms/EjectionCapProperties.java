package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.testing.FakeHealthInput;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever the inputs do, ejections never exceed the cap and never take the last pickable
 * server; an accepted ejection is in effect at once.
 */
class EjectionCapProperties {

  @Property(tries = 300, seed = "20261127")
  void capAndLastPickableRuleHoldForEverySequence(
      @ForAll @IntRange(min = 1, max = 12) int n,
      @ForAll @IntRange(min = 0, max = 100) int percent,
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 1_000) Integer> ops) {
    List<Server> servers = HealthFakes.servers(n, 0, 0);
    FakeHealthInput[] inputs = {new FakeHealthInput(), new FakeHealthInput(), new FakeHealthInput()};
    LoadBalancerBuilder b = LoadBalancer.builder("c").servers(servers).maxEjectionPercent(percent)
        .panicThresholdPercent(0);
    for (FakeHealthInput in : inputs) {
      b.healthInput(in);
    }
    int cap = n < 2 || percent == 0 ? 0 : Math.max(1, n * percent / 100);
    try (LoadBalancer lb = b.build()) {
      for (int op : ops) {
        FakeHealthInput in = inputs[op % 3];
        Server s = servers.get((op / 3) % n);
        int kind = (op / 3 / n) % 4;
        if (kind == 0 || kind == 1) {
          boolean accepted = in.control().eject(s, "op " + op);
          if (accepted) {
            assertTrue(view(lb, s).health().ejected(), "accepted ejection is in effect");
          }
        } else if (kind == 2) {
          in.control().uneject(s);
        } else {
          in.control().setActive(s, op % 2 == 0 ? ActiveHealth.UNHEALTHY : ActiveHealth.HEALTHY, "op");
        }
        long ejected = lb.servers().stream().filter(v -> v.health().ejected()).count();
        assertTrue(ejected <= cap, ejected + " ejected with cap " + cap);
      }
    }
  }

  @Property(tries = 200, seed = "20261127")
  void ejectionNeverRemovesTheLastPickableServer(
      @ForAll @IntRange(min = 2, max = 8) int n,
      @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 1_000) Integer> ops) {
    List<Server> servers = HealthFakes.servers(n, 0, 0);
    FakeHealthInput in = new FakeHealthInput();
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(servers).healthInput(in).maxEjectionPercent(100)
        .panicThresholdPercent(0).build()) {
      for (int op : ops) {
        Server s = servers.get(op % n);
        boolean pickableBefore = lb.servers().stream().anyMatch(v -> v.health().pickable());
        if (op % 3 == 0) {
          in.control().uneject(s);
        } else {
          in.control().eject(s, "op");
        }
        if (pickableBefore) {
          assertTrue(lb.servers().stream().anyMatch(v -> v.health().pickable()), "an ejection emptied the cluster");
        }
      }
    }
  }

  private static ServerView view(LoadBalancer lb, Server s) {
    return lb.servers().stream().filter(v -> v.server().id().equals(s.id())).findFirst().orElseThrow();
  }

  static HealthState.Status status(LoadBalancer lb, Server s) {
    return view(lb, s).health().status();
  }
}
