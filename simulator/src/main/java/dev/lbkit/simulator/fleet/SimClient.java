package dev.lbkit.simulator.fleet;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.internal.RetryBackoff;
import dev.lbkit.api.internal.RetryBudget;
import dev.lbkit.api.internal.RetryThrottle;
import dev.lbkit.simulator.engine.SimRandom;
import java.util.BitSet;
import java.util.List;

/**
 * One client process: its own lbkit {@link LoadBalancer} over its own view of the server list,
 * and the request loop around it. Every attempt is picked, sent one network hop to the server,
 * and its {@link Selection} completed exactly once, with the latency the client measured and
 * the outcome, by whichever comes first of the answer and the timeout. A retryable failure is
 * retried on another server while attempts remain and, as lb-okhttp decides, while the client's
 * retry throttle (the cluster is not failing as a whole) and then its retry budget allow it; the
 * retry is sent after lb-okhttp's backoff ({@link RetryBackoff}), its jitter drawn from the
 * client's random stream.
 */
final class SimClient {

  final int index;
  final LoadBalancer balancer;
  private final Picker picker;
  private final Simulation sim;
  private final SimRandom random;
  private final LoadView.Reported reported;
  private final BitSet connected;
  private final long discoveryLagNanos;
  private final RetryBudget budget;
  private final RetryThrottle throttle;
  private final RetryBackoff backoff;
  private long appliedVersion;

  SimClient(int index, LoadBalancer balancer, Picker picker, Simulation sim, SimRandom random,
      LoadView.Reported reported, long discoveryLagNanos, RetryBudget budget, RetryThrottle throttle,
      RetryBackoff backoff) {
    this.index = index;
    this.balancer = balancer;
    this.picker = picker;
    this.sim = sim;
    this.random = random;
    this.reported = reported;
    this.connected = new BitSet(sim.servers.length);
    this.discoveryLagNanos = discoveryLagNanos;
    this.budget = budget;
    this.throttle = throttle;
    this.backoff = backoff;
  }

  /** Picks a server for the request's next attempt and sends it. */
  void send(Request r) {
    if (r.attempts == 0 && budget != null) {
      budget.onRequest();
    }
    r.attempts++;
    long now = sim.clock.now();
    Selection selection;
    try {
      selection = picker.pick(r.context);
    } catch (NoAvailableServerException e) {
      sim.requestEnded(r, null);
      return;
    }
    SimServer server = sim.server(selection.server());
    if (!connected.get(server.index)) {
      connected.set(server.index);
      sim.metrics.connected(server.index, now);
    }
    Attempt a = new Attempt(r, selection, server, now);
    sim.opened(a);
    sim.clock.schedule(sim.network.sampleNanos(random), () -> server.receive(a));
    if (sim.timeouts != null) {
      sim.timeouts.start(a);
    }
  }

  /** The attempt's timeout expired before its answer came. */
  void timedOut(Attempt a) {
    answered(a, Outcome.TIMEOUT, -1);
  }

  /** The server answered: the answer arrives one network hop later. */
  void answerLater(Attempt a, Outcome outcome, int reportedLoad) {
    sim.clock.schedule(sim.network.sampleNanos(random), () -> answered(a, outcome, reportedLoad));
  }

  /** The attempt ended: reports it to lbkit once, then retries or ends the request. */
  private void answered(Attempt a, Outcome outcome, int reportedLoad) {
    if (a.done) {
      return; // the timeout, or the answer, came first
    }
    a.done = true;
    sim.closed(a);
    long now = sim.clock.now();
    a.selection.complete(now - a.sentNanos, outcome);
    Request r = a.request;
    sim.metrics.attemptEnded(now, r.startNanos, outcome);
    if (reported != null && reportedLoad >= 0) {
      reported.report(a.server.index, reportedLoad);
    }
    if (throttle != null) {
      throttle.record(outcome, a.server.server.id());
    }
    if (outcome != Outcome.SUCCESS && r.attempts < sim.config.maxAttempts && sim.config.retryOn.contains(outcome)
        && mayRetry(now, r)) {
      sim.metrics.retried(now, r.startNanos);
      r.context = r.context.toBuilder().avoid(a.server.server).build();
      long wait = backoff.nanos(r.attempts, random);
      if (wait == 0) {
        send(r);
      } else {
        sim.clock.schedule(wait, () -> send(r));
      }
      return;
    }
    sim.requestEnded(r, outcome);
  }

  /** Asks the throttle, then the budget, as lb-okhttp does; counts a refusal. */
  private boolean mayRetry(long now, Request r) {
    if (throttle != null && !throttle.allowsRetry()) {
      sim.metrics.retryThrottled(r.startNanos);
      return false;
    }
    if (budget != null && !budget.tryRetry()) {
      sim.metrics.retryOverBudget(r.startNanos);
      return false;
    }
    return true;
  }

  /** A server list published by discovery reaches this client after its lag. */
  void discover(List<Server> servers, long version) {
    sim.clock.schedule(discoveryLagNanos, () -> {
      if (version > appliedVersion) {
        appliedVersion = version;
        balancer.updateServers(servers);
      }
    });
  }

  @Override
  public String toString() {
    return "SimClient{" + index + "}";
  }
}
