package dev.lbkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.api.ServerView;
import dev.lbkit.examples.CustomSourceExample.PollingSource;
import dev.lbkit.examples.CustomSourceExample.Registry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CustomSourceExampleTest {

  /** Long enough that only the test's own poll() calls ever run. */
  private static final Duration NEVER = Duration.ofHours(1);

  private final Server a = Server.of("10.0.0.1", 8080);
  private final Server b = Server.of("10.0.0.2", 8080);
  private final Server c = Server.of("10.0.0.3", 8080);

  @Test
  void serversThatStayKeepTheirStatisticsAcrossUpdates() {
    Registry registry = new Registry();
    registry.register("orders", a);
    registry.register("orders", b);
    PollingSource source = new PollingSource(() -> registry.lookup("orders"), NEVER);
    try (LoadBalancer lb = LoadBalancer.builder("orders").trackLatency(true).source(source).build()) {
      assertEquals(List.of(a, b), servers(lb));
      for (int i = 0; i < 10; i++) {
        Selection s = lb.pick();
        s.complete(Duration.ofMillis(s.server().equals(b) ? 7 : 1).toNanos(), Outcome.SUCCESS);
      }
      ServerView before = RawTcpExampleTest.view(lb, b);
      assertNotEquals(0, before.latencyEwmaNanos());

      registry.register("orders", c);
      registry.deregister("orders", a);
      source.poll();

      assertEquals(List.of(b, c), servers(lb));
      assertEquals(before.latencyEwmaNanos(), RawTcpExampleTest.view(lb, b).latencyEwmaNanos());
      assertEquals(0, RawTcpExampleTest.view(lb, c).latencyEwmaNanos());
      for (int i = 0; i < 20; i++) {
        assertNotEquals(a, lb.pick().server());
      }
    }
  }

  @Test
  void pushesTheFullListOnlyWhenItChanged() {
    Registry registry = new Registry();
    registry.register("orders", a);
    PollingSource source = new PollingSource(() -> registry.lookup("orders"), NEVER);
    List<List<Server>> pushed = new ArrayList<>();
    source.start(pushed::add);
    try {
      source.poll();
      source.poll();
      registry.register("orders", b);
      source.poll();
      source.poll();
      assertEquals(List.of(List.of(a), List.of(a, b)), pushed);
    } finally {
      source.close();
    }
  }

  @Test
  void aFailedQueryIsReportedAndTheBalancerKeepsTheLastList() {
    Registry registry = new Registry();
    registry.register("orders", a);
    AtomicBoolean down = new AtomicBoolean();
    PollingSource source = new PollingSource(() -> {
      if (down.get()) {
        throw new IllegalStateException("registry unreachable");
      }
      return registry.lookup("orders");
    }, NEVER);
    List<Throwable> errors = new ArrayList<>();
    try (LoadBalancer lb = LoadBalancer.builder("orders").source(source).build()) {
      down.set(true);
      source.poll();
      assertEquals(List.of(a), servers(lb));
      assertEquals(a, lb.pick().server());
    }
    PollingSource watched = new PollingSource(() -> {
      throw new IllegalStateException("registry unreachable");
    }, NEVER);
    watched.start(new ServerSource.Listener() {
      @Override
      public void onServers(List<Server> servers) {
        throw new AssertionError("no list expected, got " + servers);
      }

      @Override
      public void onError(Throwable error) {
        errors.add(error);
      }
    });
    watched.close();
    assertEquals("registry unreachable", errors.get(0).getMessage());
  }

  @Test
  void mainShowsTheEwmaSurvivingTheUpdate() throws IOException {
    String out = RawTcpExampleTest.captureOut(() -> CustomSourceExample.main(new String[0]));
    assertTrue(out.contains("after 10.0.0.3 registered:\n  10.0.0.1:8080"), out);
    assertTrue(out.contains("after 10.0.0.1 deregistered:\n  10.0.0.2:8080"), out);
    Matcher m = Pattern.compile("EWMA: ([0-9.]+) ms before the update, ([0-9.]+) ms after it").matcher(out);
    assertTrue(m.find(), out);
    assertEquals(m.group(1), m.group(2));
    assertNotEquals("0.00", m.group(1));
  }

  private static List<Server> servers(LoadBalancer lb) {
    return lb.servers().stream().map(ServerView::server).collect(Collectors.toList());
  }

}
