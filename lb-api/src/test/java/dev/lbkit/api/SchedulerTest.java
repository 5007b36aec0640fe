package dev.lbkit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SchedulerTest {

  @Test
  void executorSchedulerRunsTasksOnTheExecutorsThreadAndCancelStopsAPendingOne() throws Exception {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "scheduler-test"));
    try {
      Scheduler scheduler = Scheduler.of(executor);
      AtomicBoolean cancelledRan = new AtomicBoolean();
      Scheduler.Cancellable never = scheduler.schedule(() -> cancelledRan.set(true), TimeUnit.MILLISECONDS.toNanos(50));
      never.cancel();
      never.cancel(); // idempotent
      CountDownLatch ran = new CountDownLatch(1);
      String[] thread = new String[1];
      scheduler.schedule(() -> {
        thread[0] = Thread.currentThread().getName();
        ran.countDown();
      }, -5);
      assertTrue(ran.await(10, TimeUnit.SECONDS), "a task with a negative delay runs at once");
      assertEquals("scheduler-test", thread[0]);
      // The cancelled task was due after 50 ms; one scheduled after it at 100 ms has run by then.
      CountDownLatch later = new CountDownLatch(1);
      scheduler.schedule(later::countDown, TimeUnit.MILLISECONDS.toNanos(100));
      assertTrue(later.await(10, TimeUnit.SECONDS));
      assertFalse(cancelledRan.get(), "a cancelled task never runs");
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void ofRejectsANullExecutor() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> Scheduler.of(null));
    assertEquals("executor", e.getMessage());
  }
}
