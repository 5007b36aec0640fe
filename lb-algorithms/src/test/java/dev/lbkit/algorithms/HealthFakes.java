package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test doubles shared by the runtime's health tests. */
final class HealthFakes {

  private HealthFakes() {}

  /** Records listener calls as strings. */
  static final class RecordingListener implements LoadBalancerListener {
    final List<String> panics = new CopyOnWriteArrayList<>();
    final List<String> health = new CopyOnWriteArrayList<>();

    @Override
    public void onPanic(String cluster, boolean active, String detail) {
      panics.add((active ? "enter " : "leave ") + detail);
    }

    @Override
    public void onHealthChanged(String cluster, Server server, HealthState previous, HealthState current) {
      health.add(server.id() + ": " + previous.reason() + " -> " + current.reason());
    }
  }

  /**
   * Weighted random over the endpoints' live effective weights, tracking in-flight requests: a
   * test-only stand-in for the weighted algorithms, so slow start and drain can be observed.
   * Reads weights at pick time, like least connections and P2C do.
   */
  static final class FakeWeightedRandom implements Algorithm {
    @Override
    public String name() {
      return "fake-weighted-random";
    }

    @Override
    public boolean rebuildsOnWeightChange() {
      return false;
    }

    @Override
    public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
      Endpoint[] all = endpoints.toArray(new Endpoint[0]);
      return ctx -> {
        double total = 0;
        for (Endpoint e : all) {
          if (!ctx.avoids(e.server())) {
            total += e.effectiveWeight();
          }
        }
        if (total == 0) {
          throw context.noServerAvailable(ctx, null);
        }
        double r = context.random().nextDouble() * total;
        Endpoint chosen = null;
        for (Endpoint e : all) {
          if (!ctx.avoids(e.server())) {
            chosen = e;
            r -= e.effectiveWeight();
            if (r < 0) {
              break;
            }
          }
        }
        return chosen.track();
      };
    }
  }

  /** Picks {@code n} times and counts picks per server id; completes each pick as a success. */
  static Map<String, Integer> pickCounts(Picker picker, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Selection s = picker.pick(PickContext.EMPTY);
      counts.merge(s.server().id(), 1, Integer::sum);
      s.complete(0, dev.lbkit.api.Outcome.SUCCESS);
    }
    return counts;
  }

  /** Servers 10.0.0.1:80 .. 10.0.0.n:80 at {@code priority}. */
  static List<Server> servers(int n, int priority, int firstOctet) {
    List<Server> list = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      list.add(Server.builder("10.0." + firstOctet + "." + i, 80).priority(priority).build());
    }
    return list;
  }
}
