package dev.lbkit.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualClockTest {

  @Test
  void runsEventsInTimeOrder() {
    VirtualClock clock = new VirtualClock();
    List<String> ran = new ArrayList<>();
    clock.schedule(30, () -> ran.add("c@" + clock.now()));
    clock.schedule(10, () -> ran.add("a@" + clock.now()));
    clock.schedule(20, () -> ran.add("b@" + clock.now()));
    clock.runAll();
    assertEquals(List.of("a@10", "b@20", "c@30"), ran);
    assertEquals(30, clock.now());
    assertEquals(3, clock.executed());
  }

  @Test
  void ordersTiesBySchedulingSequence() {
    VirtualClock clock = new VirtualClock();
    List<Integer> ran = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      int id = i;
      clock.at(i % 2 == 0 ? 100 : 50, () -> ran.add(id));
    }
    clock.runAll();
    List<Integer> expected = new ArrayList<>();
    for (int i = 1; i < 2_000; i += 2) {
      expected.add(i);
    }
    for (int i = 0; i < 2_000; i += 2) {
      expected.add(i);
    }
    assertEquals(expected, ran);
  }

  @Test
  void eventsScheduledByAnEventForNowRunAfterThoseAlreadyDue() {
    VirtualClock clock = new VirtualClock();
    List<String> ran = new ArrayList<>();
    clock.at(5, () -> {
      ran.add("first");
      clock.schedule(0, () -> ran.add("scheduled by first"));
    });
    clock.at(5, () -> ran.add("second"));
    clock.runAll();
    assertEquals(List.of("first", "second", "scheduled by first"), ran);
  }

  @Test
  void skipsCancelledEvents() {
    VirtualClock clock = new VirtualClock();
    List<String> ran = new ArrayList<>();
    Event e = clock.schedule(10, () -> ran.add("cancelled"));
    clock.schedule(20, () -> ran.add("kept"));
    e.cancel();
    clock.runAll();
    assertEquals(List.of("kept"), ran);
    assertEquals(1, clock.executed());
  }

  @Test
  void runUntilStopsAtTheGivenTime() {
    VirtualClock clock = new VirtualClock();
    List<Long> ran = new ArrayList<>();
    for (long t = 10; t <= 50; t += 10) {
      clock.at(t, () -> ran.add(clock.now()));
    }
    clock.runUntil(30);
    assertEquals(List.of(10L, 20L, 30L), ran);
    assertEquals(30, clock.now());
    clock.runUntil(35);
    assertEquals(35, clock.now());
    assertEquals(2, clock.pending());
  }

  @Test
  void refusesToScheduleInThePast() {
    VirtualClock clock = new VirtualClock();
    clock.runUntil(100);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> clock.at(99, () -> {}));
    assertEquals("time must not be before now (100ns), was 99ns", e.getMessage());
    assertFalse(clock.runNext());
  }

  @Test
  void schedulerTasksRunInVirtualTimeAndCancel() {
    VirtualClock clock = new VirtualClock();
    VirtualScheduler scheduler = new VirtualScheduler(clock);
    List<Long> ran = new ArrayList<>();
    scheduler.schedule(() -> ran.add(clock.nanoTime()), 1_000);
    scheduler.schedule(() -> ran.add(-1L), 500).cancel();
    scheduler.schedule(() -> ran.add(clock.nanoTime()), -5);
    clock.runAll();
    assertEquals(List.of(0L, 1_000L), ran);
  }
}
