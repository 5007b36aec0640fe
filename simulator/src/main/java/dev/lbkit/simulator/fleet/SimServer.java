package dev.lbkit.simulator.fleet;

import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import dev.lbkit.simulator.engine.SimRandom;
import dev.lbkit.simulator.engine.VirtualClock;
import java.util.ArrayDeque;

/**
 * One simulated server: {@code workers} requests in service at once, a FIFO queue for the rest,
 * a service time drawn per request and scaled by the server's speed and its current failures.
 *
 * <p><b>Load</b> is requests queued plus in service, as the server itself would count them;
 * every change is reported to {@link Metrics} for the time series and read by the load
 * board.
 *
 * <p><b>Failures.</b> While refusing or down, an arriving request is answered with a connect
 * failure after the return hop. A black hole swallows arrivals and responses. Fail-fast answers
 * an error after {@link FleetConfig#DEFAULT_FAIL_FAST_LATENCY} without a worker. A crash fails
 * every queued and in-service request with a reset connection ({@code IO_ERROR}); service
 * completions scheduled before it are recognised by the epoch and dropped. A server coming back
 * is cold: service times are scaled by a factor that fades linearly to 1 over the warm-up.
 */
final class SimServer {

  final int index;
  final Server server;
  private final Simulation sim;
  private final VirtualClock clock;
  private final SimRandom random;
  private final ServiceTime service;
  private final double speed;
  private final int workers;
  private final int queueLimit;
  private final long failFastNanos;

  private final ArrayDeque<Attempt> queue = new ArrayDeque<>();
  private final Attempt[] inService;
  private int busy;
  private int epoch;

  private double slowFactor = 1.0;
  private int refusing;
  private int blackHoles;
  private double failFastProbability;
  private boolean down;
  private double coldFactor = 1.0;
  private long warmStartNanos;
  private long warmEndNanos;

  SimServer(int index, Server server, Simulation sim, SimRandom random, FleetConfig config) {
    this.index = index;
    this.server = server;
    this.sim = sim;
    this.clock = sim.clock;
    this.random = random;
    this.service = config.service;
    this.speed = config.speeds[index];
    this.workers = config.workers;
    this.queueLimit = config.queueLimit;
    this.failFastNanos = config.failFastNanos;
    this.inService = new Attempt[workers];
  }

  /** Requests queued and in service. */
  int load() {
    return busy + queue.size();
  }

  /** A request reaches the server. */
  void receive(Attempt a) {
    long now = clock.now();
    sim.metrics.arrived(index, now);
    if (down || refusing > 0) {
      respond(a, Outcome.CONNECT_FAILURE);
      return;
    }
    if (blackHoles > 0) {
      return;
    }
    if (failFastProbability > 0 && random.nextDouble() < failFastProbability) {
      clock.schedule(failFastNanos, () -> respond(a, Outcome.SERVER_ERROR));
      return;
    }
    if (busy < workers) {
      start(a);
    } else if (queueLimit > 0 && queue.size() >= queueLimit) {
      respond(a, Outcome.SERVER_ERROR);
    } else {
      queue.add(a);
      sim.metrics.loadChanged(index, now, load());
    }
  }

  private void start(Attempt a) {
    int slot = 0;
    while (inService[slot] != null) {
      slot++;
    }
    inService[slot] = a;
    a.slot = slot;
    busy++;
    long now = clock.now();
    sim.metrics.loadChanged(index, now, load());
    double nanos = service.sampleNanos(random) * slowFactor * cold(now) / speed;
    int startedIn = epoch;
    clock.schedule(Math.round(nanos), () -> finish(a, startedIn));
  }

  private double cold(long now) {
    if (coldFactor == 1.0 || now >= warmEndNanos) {
      return 1.0;
    }
    double progress = (now - warmStartNanos) / (double) (warmEndNanos - warmStartNanos);
    return coldFactor - (coldFactor - 1.0) * progress;
  }

  private void finish(Attempt a, int startedIn) {
    if (startedIn != epoch) {
      return; // the server crashed since; the request was failed then
    }
    inService[a.slot] = null;
    a.slot = -1;
    busy--;
    respond(a, Outcome.SUCCESS);
    Attempt next = queue.poll();
    if (next != null) {
      start(next);
    } else {
      sim.metrics.loadChanged(index, clock.now(), load());
    }
  }

  /** Sends the answer back: it reaches the client one network hop later. */
  private void respond(Attempt a, Outcome outcome) {
    if (blackHoles > 0) {
      return;
    }
    int reportedLoad = load();
    a.request.client.answerLater(a, outcome, reportedLoad);
  }

  void slow(double factor) {
    slowFactor *= factor;
  }

  void unslow(double factor) {
    slowFactor /= factor;
  }

  void refuse(boolean on) {
    refusing += on ? 1 : -1;
  }

  void blackHole(boolean on) {
    blackHoles += on ? 1 : -1;
  }

  void failFast(double probability) {
    failFastProbability = probability;
  }

  /** The process dies: everything it holds fails with a reset connection. */
  void crash() {
    down = true;
    epoch++;
    for (int i = 0; i < workers; i++) {
      Attempt a = inService[i];
      if (a != null) {
        inService[i] = null;
        a.slot = -1;
        respond(a, Outcome.IO_ERROR);
      }
    }
    busy = 0;
    Attempt a;
    while ((a = queue.poll()) != null) {
      respond(a, Outcome.IO_ERROR);
    }
    sim.metrics.loadChanged(index, clock.now(), 0);
  }

  /** The process is back, {@code coldFactor} times slower, fading over {@code warmupNanos}. */
  void boot(double coldFactor, long warmupNanos) {
    down = false;
    long now = clock.now();
    this.coldFactor = warmupNanos > 0 ? coldFactor : 1.0;
    this.warmStartNanos = now;
    this.warmEndNanos = now + warmupNanos;
  }

  @Override
  public String toString() {
    return "SimServer{" + server.id() + ", load=" + load() + "}";
  }
}
