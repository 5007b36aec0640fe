package dev.lbkit.simulator.fleet;

import dev.lbkit.simulator.engine.VirtualClock;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Client timeouts without an event per attempt. Every attempt has the same timeout, so
 * deadlines fall in the order attempts were sent: a FIFO of attempts and one timer, set for the
 * oldest deadline, suffice. A timeout event per attempt would instead keep rate × timeout
 * cancelled events in the clock's heap (840,000 at 28,000 requests per second and 30 s), and
 * every heap operation would pay for their depth.
 *
 * <p>Attempts that ended are dropped lazily, when they reach the head.
 */
final class Timeouts {

  private final VirtualClock clock;
  private final long timeoutNanos;
  private final Consumer<Attempt> onTimeout;
  private final ArrayDeque<Attempt> pending = new ArrayDeque<>();
  private boolean armed;

  Timeouts(VirtualClock clock, long timeoutNanos, Consumer<Attempt> onTimeout) {
    this.clock = clock;
    this.timeoutNanos = timeoutNanos;
    this.onTimeout = onTimeout;
  }

  /** Starts the timeout of an attempt sent now. */
  void start(Attempt a) {
    while (!pending.isEmpty() && pending.peekFirst().done) {
      pending.pollFirst();
    }
    pending.addLast(a);
    if (!armed) {
      arm();
    }
  }

  private void arm() {
    Attempt head = pending.peekFirst();
    if (head == null) {
      armed = false;
      return;
    }
    armed = true;
    clock.at(head.sentNanos + timeoutNanos, this::fire);
  }

  private void fire() {
    long now = clock.now();
    Attempt head;
    while ((head = pending.peekFirst()) != null && (head.done || head.sentNanos + timeoutNanos <= now)) {
      pending.pollFirst();
      if (!head.done) {
        onTimeout.accept(head);
      }
    }
    arm();
  }
}
