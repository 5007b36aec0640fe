package dev.lbkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.HealthState;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SPI fakes: {@link FakeEndpoint}, {@link FakeServerSource}, {@link FakeHealthInput}. */
class FakesTest {

  @Test
  void fakeEndpointsAreNamedInOrderWithTheirWeights() {
    List<FakeEndpoint> eps = FakeEndpoint.weighted(5, 1);
    assertEquals("10.0.0.1:80", eps.get(0).server().id());
    assertEquals(5, eps.get(0).server().weight());
    assertEquals("10.0.0.2:80", eps.get(1).server().id());
    assertEquals("10.0.1.1:80", FakeEndpoint.of(251).get(250).server().id());
  }

  @Test
  void trackedSelectionReleasesItsInFlightRequestOnItsFirstReportOnly() {
    FakeEndpoint e = FakeEndpoint.of(1).get(0).inFlight(2);
    Selection s = e.track();
    assertEquals(3, e.inFlight());
    s.complete(10, Outcome.SUCCESS);
    s.complete(10, Outcome.SUCCESS);
    assertEquals(2, e.inFlight());
    assertEquals(2, ((FakeEndpoint.FakeSelection) s).completions());
    Selection untracked = e.selection();
    untracked.complete(1, Outcome.SUCCESS);
    assertEquals(2, e.inFlight());
    assertFalse(((FakeEndpoint.FakeSelection) untracked).tracked());
    assertTrue(e.selection() != untracked, "a new selection per call");
  }

  @Test
  void tryTrackRefusesAboveTheCap() {
    FakeEndpoint e = FakeEndpoint.of(1).get(0).inFlight(1);
    assertNull(e.tryTrack(1));
    Selection s = e.tryTrack(2);
    assertEquals(2, e.inFlight());
    assertEquals(e, ((FakeEndpoint.FakeSelection) s).endpoint());
  }

  @Test
  void effectiveWeightFollowsTheHealthUntilSet() {
    FakeEndpoint e = FakeEndpoint.weighted(4).get(0);
    assertEquals(4.0, e.effectiveWeight());
    e.health(HealthState.INITIAL.withWeightMultiplier(0.5));
    assertEquals(2.0, e.effectiveWeight());
    e.effectiveWeight(1.5);
    assertEquals(1.5, e.effectiveWeight());
    HealthState[] current = {HealthState.INITIAL};
    e.healthFrom(() -> current[0]);
    current[0] = HealthState.INITIAL.withEjection("test");
    assertEquals(current[0], e.health());
    assertFalse(e.hasLatencySample());
    e.latency(5, 7).failures(2, Outcome.TIMEOUT);
    assertTrue(e.hasLatencySample());
    assertEquals(5, e.latencyEwmaNanos());
    assertEquals(7, e.peakEwmaNanos());
    assertEquals(2, e.consecutiveFailures());
    assertEquals(Outcome.TIMEOUT, e.lastOutcome());
    assertEquals("inFlight must not be negative, was -1",
        assertThrows(IllegalArgumentException.class, () -> e.inFlight(-1)).getMessage());
  }

  @Test
  void fakeServerSourcePushesListsAsGivenAndErrors() {
    FakeServerSource source = new FakeServerSource();
    assertEquals("FakeServerSource was not started: give it to a LoadBalancer or a source first",
        assertThrows(IllegalStateException.class, () -> source.push(List.of())).getMessage());
    List<List<Server>> lists = new ArrayList<>();
    List<Throwable> errors = new ArrayList<>();
    source.start(new ServerSource.Listener() {
      @Override
      public void onServers(List<Server> servers) {
        lists.add(servers);
      }

      @Override
      public void onError(Throwable error) {
        errors.add(error);
      }
    });
    assertTrue(source.isStarted());
    Server a = Server.of("10.0.0.1", 80);
    source.push(a);
    List<Server> withNull = Arrays.asList(a, null);
    source.push(withNull);
    IOException down = new IOException("registry unreachable");
    source.fail(down);
    assertEquals(List.of(List.of(a), withNull), lists);
    assertTrue(lists.get(1) == withNull, "passed as given");
    assertEquals(List.of(down), errors);
    assertThrows(IllegalStateException.class, () -> source.start(servers -> {}));
    assertFalse(source.isClosed());
    source.close();
    source.close();
    assertEquals(2, source.closeCount());
  }

  @Test
  void fakeHealthInputNeedsABalancerBeforeItsControlIsUsed() {
    FakeHealthInput input = new FakeHealthInput();
    assertFalse(input.isStarted());
    assertEquals("FakeHealthInput was not started: give it to LoadBalancer.builder(...).healthInput(...) first",
        assertThrows(IllegalStateException.class, () -> input.down(Server.of("10.0.0.1", 80))).getMessage());
    FakeEndpoint e = FakeEndpoint.of(1).get(0).failures(1, Outcome.TIMEOUT);
    input.onServersChanged(List.of(e));
    input.onOutcome(e, Outcome.TIMEOUT, 5);
    assertEquals(List.of(e), input.endpoints());
    assertEquals(List.of("10.0.0.1:80 TIMEOUT failures=1"), input.outcomes());
    input.close();
    assertTrue(input.isClosed());
  }
}
