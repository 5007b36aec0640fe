package dev.lbkit.examples.integration;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A health input that changes nothing and only hands the test a barrier on the balancer's
 * serialized control plane: {@link #await} returns once every control task submitted before it
 * (and the rebuild it queued) has run, whichever thread drains them (a health check's answer is applied on OkHttp's thread,
 * possibly after the check has already scheduled its successor).
 */
final class FakeBarrierInput implements HealthInput {

  private volatile HealthControl control;

  @Override
  public void start(HealthControl control) {
    this.control = control;
  }

  @Override
  public void onServersChanged(List<Endpoint> endpoints) {}

  @Override
  public void onOutcome(Endpoint endpoint, Outcome outcome, long latencyNanos) {}

  @Override
  public void close() {}

  /**
   * Waits, at most {@code bound} per pass, until the control plane has run every earlier task
   * and the follow-ups they queued: a health change queues the snapshot rebuild behind itself,
   * so a first pass can finish before the rebuild; a second pass, queued after it, cannot.
   */
  void await(Duration bound) throws InterruptedException {
    for (int pass = 0; pass < 2; pass++) {
      CountDownLatch done = new CountDownLatch(1);
      control.execute(done::countDown);
      if (!done.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("control plane did not drain within " + bound);
      }
    }
  }
}
