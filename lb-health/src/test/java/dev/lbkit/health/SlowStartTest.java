package dev.lbkit.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeScheduler;
import dev.lbkit.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SlowStartTest {

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final FakeHealthControl control = new FakeHealthControl(ticker);
  private final Server a = Server.of("10.0.0.1", 80);
  private final Server b = Server.of("10.0.0.2", 80);

  private HealthInput start(SlowStart.Builder builder) {
    HealthInput input = builder.scheduler(scheduler).build();
    input.start(control);
    control.servers(input, a);
    return input;
  }

  private double multiplier(Server s) {
    return control.multipliers.getOrDefault(s.id(), 1.0);
  }

  @Test
  void serversOfTheFirstListDoNotRamp() {
    start(SlowStart.builder());
    scheduler.advance(Duration.ofSeconds(5));
    assertEquals(1.0, multiplier(a));
  }

  @Test
  void addedServerRampsLinearlyFromTheMinimumShare() {
    HealthInput input = start(SlowStart.builder().window(Duration.ofSeconds(10)));
    control.servers(input, a, b);
    assertEquals(0.1, multiplier(b));
    assertEquals("10%", control.detail(b, SlowStartInput.DETAIL));
    double[] expected = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
    for (int i = 0; i < expected.length; i++) {
      scheduler.advance(Duration.ofSeconds(1));
      assertEquals(expected[i], multiplier(b), 1e-9, "after " + (i + 1) + "s");
    }
    assertNull(control.detail(b, SlowStartInput.DETAIL));
    assertEquals(1.0, multiplier(a));
  }

  @Test
  void aggressionBendsTheCurve() {
    HealthInput input = start(SlowStart.builder().window(Duration.ofSeconds(10)).aggression(2.0));
    control.servers(input, a, b);
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(Math.sqrt(0.1), multiplier(b), 1e-9);
    scheduler.advance(Duration.ofSeconds(3));
    assertEquals(Math.sqrt(0.4), multiplier(b), 1e-9);
    assertEquals("63%", control.detail(b, SlowStartInput.DETAIL));
  }

  @Test
  void minimumShareHoldsEarlyInAConvexRamp() {
    HealthInput input = start(SlowStart.builder().window(Duration.ofSeconds(10)).aggression(0.5)
        .minimumSharePercent(20));
    control.servers(input, a, b);
    scheduler.advance(Duration.ofSeconds(3));
    assertEquals(0.2, multiplier(b), 1e-9, "0.3^2 = 0.09 is below the 20% floor");
    scheduler.advance(Duration.ofSeconds(2));
    assertEquals(0.25, multiplier(b), 1e-9);
  }

  /** Changes a verdict and tells the input, as the runtime does after publishing it. */
  private void setActive(HealthInput input, Endpoint endpoint, ActiveHealth verdict) {
    HealthState before = control.health(endpoint.server());
    control.active.put(endpoint.server().id(), verdict);
    input.onHealthChanged(endpoint, before, control.health(endpoint.server()));
  }

  @Test
  void recoveredServerRampsAgain() {
    HealthInput input = start(SlowStart.builder().window(Duration.ofSeconds(10)));
    Endpoint endpoint = control.servers(input, a, b).get(0);
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals(1.0, multiplier(a));
    setActive(input, endpoint, ActiveHealth.UNHEALTHY);
    scheduler.advance(Duration.ofMillis(1_500));
    setActive(input, endpoint, ActiveHealth.HEALTHY);
    assertEquals(0.1, multiplier(a), 1e-9, "the ramp begins the moment the server is pickable again");
    scheduler.advance(Duration.ofSeconds(5));
    // Began at 11.5 s; the last step ran at 16 s: 4.5 s into a 10 s linear ramp.
    assertEquals(0.45, multiplier(a), 1e-9);
  }

  @Test
  void rejectsBadConfigurationNamingFieldAndValue() {
    assertEquals("minimumSharePercent must be in [1, 100], was 0",
        ActiveHealthCheckTest.bad(() -> SlowStart.builder().minimumSharePercent(0).build()));
    assertEquals("aggression must be positive and finite, was -1.0",
        ActiveHealthCheckTest.bad(() -> SlowStart.builder().aggression(-1).build()));
    assertEquals("window must be positive, was 0ns",
        ActiveHealthCheckTest.bad(() -> SlowStart.builder().window(Duration.ZERO).build()));
    assertEquals("step must be at most window (30s), was 1m",
        ActiveHealthCheckTest.bad(() -> SlowStart.builder().step(Duration.ofMinutes(1)).build()));
  }
}
