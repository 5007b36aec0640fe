package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.testing.FakeHealthInput;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link LoadBalancer#servers()} shows one state that existed. Before 0.2.0 it read each
 * server's live health one by one while the control plane changed them: with a 30% ejection cap
 * on 10 servers, a reader saw 5 servers ejected at once although the control plane never had
 * more than 3.
 */
class ConsistentViewsTest {

  @Test
  void viewsNeverShowMoreServersEjectedThanTheCapAllows() throws Exception {
    List<Server> servers = HealthFakes.servers(10, 0, 0);
    FakeHealthInput health = new FakeHealthInput();
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(servers).healthInput(health)
        .maxEjectionPercent(30).panicThresholdPercent(0).build()) {
      AtomicBoolean done = new AtomicBoolean();
      AtomicInteger worst = new AtomicInteger();
      AtomicInteger reads = new AtomicInteger();
      Thread reader = new Thread(() -> {
        while (!done.get() && reads.get() < 5_000_000) {
          int ejected = 0;
          for (ServerView v : lb.servers()) {
            ejected += v.health().ejected() ? 1 : 0;
          }
          worst.accumulateAndGet(ejected, Math::max);
          reads.incrementAndGet();
        }
      });
      reader.start();
      Thread[] writers = new Thread[3];
      for (int t = 0; t < writers.length; t++) {
        long seed = t;
        writers[t] = new Thread(() -> {
          SplittableRandom random = new SplittableRandom(seed);
          for (int i = 0; i < 20_000; i++) {
            Server s = servers.get(random.nextInt(servers.size()));
            if (random.nextBoolean()) {
              health.control().eject(s, "test");
            } else {
              health.control().uneject(s);
            }
          }
        });
        writers[t].start();
      }
      for (Thread w : writers) {
        w.join(60_000);
      }
      done.set(true);
      reader.join(60_000);
      assertTrue(reads.get() > 0);
      assertTrue(worst.get() <= 3, "a view showed " + worst.get() + " servers ejected at once");
    }
  }
}
