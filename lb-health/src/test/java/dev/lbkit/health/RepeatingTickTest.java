package dev.lbkit.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.testing.FakeScheduler;
import dev.lbkit.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RepeatingTickTest {

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final FakeHealthControl control = new FakeHealthControl(ticker);
  private final ControlPlaneTimers timers =
      new ControlPlaneTimers(scheduler, control, LoggerFactory.getLogger(RepeatingTickTest.class));
  private final List<Long> runs = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();
  private final long origin = ticker.nanoTime();

  @Test
  void runsOncePerPeriodFromTheStart() {
    RepeatingTick tick = new RepeatingTick("test tick", 100, () -> runs.add(elapsed()), e -> failures.add("x"));
    tick.start(timers);

    scheduler.advance(Duration.ofNanos(350));

    assertEquals(List.of(100L, 200L, 300L), runs);
    assertEquals(1, scheduler.pending());
  }

  @Test
  void aRunThatThrowsIsReportedAndTheNextRunStillComes() {
    RepeatingTick tick = new RepeatingTick("test tick", 100, () -> {
      runs.add(elapsed());
      if (runs.size() == 1) {
        throw new IllegalStateException("boom");
      }
    }, e -> failures.add(e.getMessage()));
    tick.start(timers);

    scheduler.advance(Duration.ofNanos(200));

    assertEquals(List.of(100L, 200L), runs);
    assertEquals(List.of("boom"), failures);
  }

  @Test
  void stopCancelsTheNextRun() {
    RepeatingTick tick = new RepeatingTick("test tick", 100, () -> runs.add(elapsed()), e -> failures.add("x"));
    tick.start(timers);
    scheduler.advance(Duration.ofNanos(100));

    tick.stop();
    scheduler.advance(Duration.ofNanos(500));

    assertEquals(List.of(100L), runs);
    assertEquals(0, scheduler.pending());
  }

  @Test
  void aRunStoppingItsOwnTickSchedulesNoOther() {
    RepeatingTick[] self = new RepeatingTick[1];
    self[0] = new RepeatingTick("test tick", 100, () -> {
      runs.add(elapsed());
      self[0].stop();
    }, e -> failures.add("x"));
    self[0].start(timers);

    scheduler.advance(Duration.ofNanos(500));

    assertEquals(List.of(100L), runs);
    assertEquals(0, scheduler.pending());
  }

  private long elapsed() {
    return ticker.nanoTime() - origin;
  }
}
