package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lbkit.api.HealthState;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.testing.FakeHealthInput;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Listeners added after build: several of them, in order, isolated from each other, removable. */
class ListenerRegistrationTest {

  private final FakeHealthInput health = new FakeHealthInput();
  private final List<Server> s = HealthFakes.servers(3, 0, 0);

  /** Records each event, and the state servers() shows while the event is delivered. */
  private static final class Recorder implements LoadBalancerListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    LoadBalancer lb;

    @Override
    public void onServersChanged(String cluster, List<Server> added, List<Server> removed) {
      events.add("servers +" + added.size() + " -" + removed.size() + " now " + lb.servers().size());
    }

    @Override
    public void onHealthChanged(String cluster, Server server, HealthState previous, HealthState current) {
      ServerView view = lb.servers().stream().filter(v -> v.server().equals(server)).findFirst().orElseThrow();
      events.add(server.id() + " " + current.status() + " (view " + view.health().status() + ")");
    }

    @Override
    public void onPanic(String cluster, boolean active, String detail) {
      events.add("panic " + active);
    }

    @Override
    public void onActiveCheck(String cluster, Server server, boolean passed) {
      events.add("check " + server.id() + " " + passed);
    }
  }

  @Test
  void aListenerAddedAfterBuildGetsLaterEventsAfterTheirSnapshotIsPublished() {
    HealthFakes.RecordingListener buildTime = new HealthFakes.RecordingListener();
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s).healthInput(health).listener(buildTime)
        .panicThresholdPercent(0).build()) {
      health.down(s.get(0));
      Recorder late = new Recorder();
      late.lb = lb;
      // No replay: the state before addListener is in servers().
      assertEquals(List.of("UNHEALTHY", "PICKABLE", "PICKABLE"),
          lb.servers().stream().map(v -> v.health().status().name()).collect(Collectors.toList()));
      lb.addListener(late);
      health.down(s.get(1));
      health.control().reportActiveCheck(s.get(2), true);
      lb.updateServers(s.subList(1, 3));
      assertEquals(List.of(
          "10.0.0.2:80 UNHEALTHY (view UNHEALTHY)",
          "check 10.0.0.3:80 true",
          "servers +0 -1 now 2"), late.events);
      // The build-time listener still hears everything.
      assertEquals(2, buildTime.health.size());
    }
  }

  @Test
  void everyListenerGetsEachEventInOrderEvenWhenAnotherThrows() {
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s).healthInput(health).panicThresholdPercent(0).build()) {
      Recorder first = new Recorder();
      Recorder second = new Recorder();
      first.lb = lb;
      second.lb = lb;
      lb.addListener(first);
      lb.addListener(new LoadBalancerListener() {
        @Override
        public void onHealthChanged(String cluster, Server server, HealthState previous, HealthState current) {
          throw new IllegalStateException("listener bug");
        }
      });
      lb.addListener(second);
      health.down(s.get(0));
      health.up(s.get(0));
      List<String> expected = List.of("10.0.0.1:80 UNHEALTHY (view UNHEALTHY)", "10.0.0.1:80 PICKABLE (view PICKABLE)");
      assertEquals(expected, first.events);
      assertEquals(expected, second.events);
    }
  }

  @Test
  void closingARegistrationRemovesOnlyThatRegistration() {
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s).healthInput(health).panicThresholdPercent(0).build()) {
      Recorder r = new Recorder();
      r.lb = lb;
      LoadBalancerListener.Registration one = lb.addListener(r);
      lb.addListener(r);
      health.down(s.get(0));
      assertEquals(2, r.events.size(), "added twice, heard twice");
      one.close();
      one.close();
      health.up(s.get(0));
      assertEquals(3, r.events.size());
    }
  }

  @Test
  void panicEventsReachLateListeners() {
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s).healthInput(health).build()) {
      Recorder r = new Recorder();
      r.lb = lb;
      lb.addListener(r);
      health.down(s.get(0), s.get(1));
      assertEquals(List.of("10.0.0.1:80 UNHEALTHY (view UNHEALTHY)", "10.0.0.2:80 UNHEALTHY (view UNHEALTHY)",
          "panic true"), r.events);
    }
  }

  @Test
  void rejectsANullListener() {
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s).build()) {
      NullPointerException e = assertThrows(NullPointerException.class, () -> lb.addListener(null));
      assertEquals("listener", e.getMessage());
    }
  }
}
