package dev.lbkit.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeScheduler;
import dev.lbkit.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Rise/fall hysteresis holds for every sequence of check results. */
class ActiveCheckProperties {

  @Property(tries = 300, seed = "20261127")
  void verdictChangesExactlyWhenTheThresholdIsMet(
      @ForAll @Size(min = 1, max = 80) List<Boolean> results,
      @ForAll @IntRange(min = 1, max = 5) int rise,
      @ForAll @IntRange(min = 1, max = 5) int fall) {
    FakeTicker ticker = new FakeTicker();
    FakeScheduler scheduler = new FakeScheduler(ticker);
    FakeHealthControl control = new FakeHealthControl(ticker);
    FakeCheck check = new FakeCheck();
    Server a = Server.of("10.0.0.1", 80);
    HealthInput input = ActiveHealthCheck.builder(check).interval(Duration.ofSeconds(1))
        .timeout(Duration.ofMillis(100)).jitter(Duration.ZERO).rise(rise).fall(fall).scheduler(scheduler).build();
    input.start(control);
    control.servers(input, a);
    List<Boolean> seen = new ArrayList<>();
    ActiveHealth previous = ActiveHealth.UNKNOWN;
    for (boolean pass : results) {
      check.mode = pass ? FakeCheck.Mode.PASS : FakeCheck.Mode.FAIL;
      if (seen.isEmpty()) {
        scheduler.runDue();
      } else {
        scheduler.advance(Duration.ofSeconds(1));
      }
      seen.add(pass);
      ActiveHealth now = control.active.get(a.id());
      if (previous == ActiveHealth.UNKNOWN) {
        assertEquals(pass ? ActiveHealth.HEALTHY : ActiveHealth.UNHEALTHY, now, "first check decides");
      } else {
        boolean wasHealthy = previous == ActiveHealth.HEALTHY;
        int threshold = wasHealthy ? fall : rise;
        boolean streak = seen.size() >= threshold
            && seen.subList(seen.size() - threshold, seen.size()).stream().allMatch(r -> r != wasHealthy);
        // The verdict flips only once the last `threshold` results all disagree with it, and then
        // it must flip.
        assertEquals(streak ? opposite(previous) : previous, now, "results " + seen);
      }
      previous = now;
    }
    assertTrue(check.calls.get() == results.size());
    input.close();
  }

  private static ActiveHealth opposite(ActiveHealth h) {
    return h == ActiveHealth.HEALTHY ? ActiveHealth.UNHEALTHY : ActiveHealth.HEALTHY;
  }
}
