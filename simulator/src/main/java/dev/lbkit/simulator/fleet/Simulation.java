package dev.lbkit.simulator.fleet;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.algorithms.LoadBalancerBuilder;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Server;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.health.SlowStart;
import dev.lbkit.simulator.engine.SimRandom;
import dev.lbkit.simulator.engine.VirtualClock;
import dev.lbkit.simulator.engine.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of one {@link Variant} over one {@link FleetConfig}: builds the servers, a client per
 * configured client with its own lbkit {@link LoadBalancer}, the workload, the failures and the
 * discovery updates, runs the event loop until every request has ended, and returns what was
 * measured.
 *
 * <p><b>Determinism.</b> Every component draws from its own stream split off the config's seed
 * in a fixed order, and the event queue breaks time ties by scheduling order, so one config and
 * variant always give the same run. Variants of one scenario see the same arrival times and
 * service-time streams per server, as far as their choices let them.
 *
 * <p><b>Ending.</b> Arrivals stop when the request count or the duration is reached. The run
 * then waits for open requests, at most {@link FleetConfig.Builder#drainLimit} of virtual time;
 * attempts still open then are completed as {@link Outcome#CANCELLED}, so that every selection
 * is completed exactly once, and their requests count as unfinished.
 */
public final class Simulation {

  /** The name of the simulated cluster, in every balancer and message. */
  public static final String CLUSTER = "fleet";

  final FleetConfig config;
  final Variant variant;
  final VirtualClock clock = new VirtualClock();
  final Metrics metrics;
  final Network network;
  final SimServer[] servers;
  final SimClient[] clients;

  private final Map<Server, SimServer> byServer = new IdentityHashMap<>();
  private final VirtualScheduler scheduler = new VirtualScheduler(clock);
  /** Client timeouts, or null when attempts never time out. */
  final Timeouts timeouts;
  private final SimRandom arrivals;
  private final SimRandom keys;
  private final PickContext[] clientKeys;
  private final boolean[] listed;
  private final List<Server> allServers;
  private LoadView.Board board;
  private long listVersion;

  private long issued;
  private long ended;
  private boolean stopped;
  private long stopNanos;
  private final Attempt openHead = new Attempt(null, null, null, 0);

  private Simulation(FleetConfig config, Variant variant) {
    if (variant.clientRate() > 0 && config.workload.kind() != Workload.Kind.OPEN) {
      throw new IllegalArgumentException(
          "variant " + variant.name() + ": clientRate needs an open workload, was " + config.workload);
    }
    this.config = config;
    this.variant = variant;
    this.metrics = new Metrics(config.intervalNanos, config.warmupNanos, config.servers);
    this.network = config.network;
    this.timeouts = config.timeoutNanos > 0
        ? new Timeouts(clock, config.timeoutNanos, a -> a.request.client.timedOut(a))
        : null;
    SimRandom root = new SimRandom(config.seed);
    this.arrivals = root.split();
    this.keys = root.split();
    SimRandom serverStreams = root.split();
    SimRandom clientStreams = root.split();
    SimRandom lags = root.split();

    servers = new SimServer[config.servers];
    List<Server> list = new ArrayList<>(config.servers);
    for (int i = 0; i < config.servers; i++) {
      Server s = serverOf(i);
      servers[i] = new SimServer(i, s, this, serverStreams.split(), config);
      byServer.put(s, servers[i]);
      list.add(s);
    }
    allServers = List.copyOf(list);
    listed = new boolean[config.servers];
    Arrays.fill(listed, true);
    openHead.next = openHead;
    openHead.previous = openHead;

    if (variant.view().kind() == View.Kind.BOARD) {
      board = new LoadView.Board(servers, variant.view().refreshNanos() == 0);
    }
    clients = new SimClient[config.clients];
    clientKeys = new PickContext[config.clients];
    for (int c = 0; c < config.clients; c++) {
      long lag = config.discoveryDelayNanos + (long) (lags.nextDouble() * config.discoverySpreadNanos);
      clients[c] = newClient(c, clientStreams.split(), lag);
      clientKeys[c] = variant.key() == Variant.Key.CLIENT ? PickContext.ofKey("client-" + c) : PickContext.EMPTY;
    }
  }

  /** The host of server {@code i}: a name under the reserved {@code .test} domain. */
  static Server serverOf(int i) {
    return Server.of("server-" + i + ".fleet.test", 8080);
  }

  private SimClient newClient(int index, SimRandom random, long lag) {
    LoadBalancerBuilder b = LoadBalancer.builder(CLUSTER)
        .servers(allServers)
        .algorithm(variant.algorithm())
        .ticker(clock)
        .random(random);
    if (variant.ewmaDecay() != null) {
      b.ewmaDecay(variant.ewmaDecay());
    }
    Picker viewPicker = null;
    LoadView.Reported reported = null;
    if (variant.view().kind() != View.Kind.OWN) {
      LoadView view = board;
      if (variant.view().kind() == View.Kind.REPORTED) {
        reported = new LoadView.Reported(config.servers);
        view = reported;
      }
      ViewPicker vp = new ViewPicker(variant.algorithm(),
          new SimAlgorithmContext(CLUSTER, clock, random, config.servers), view,
          e -> byServer.get(e.server()).index);
      b.healthInput(vp);
      viewPicker = vp;
    }
    if (variant.slowStart() != null) {
      Duration step = variant.slowStart().compareTo(SlowStart.DEFAULT_STEP) < 0 ? variant.slowStart() : SlowStart.DEFAULT_STEP;
      b.healthInput(SlowStart.builder().window(variant.slowStart()).step(step).scheduler(scheduler).build());
    }
    if (variant.outlierDetection()) {
      b.healthInput(OutlierDetection.builder().scheduler(scheduler).build());
    }
    LoadBalancer balancer = b.build();
    return new SimClient(index, balancer, viewPicker != null ? viewPicker : balancer, this, random, reported, lag,
        variant.retry().newBudget(clock), variant.retry().newThrottle(), variant.retry().backoff());
  }

  /** Runs {@code variant} over {@code config} and returns what was measured. */
  public static RunResult run(FleetConfig config, Variant variant) {
    long wallStart = System.nanoTime();
    Simulation sim = new Simulation(config, variant);
    sim.runLoop();
    return new RunResult(variant, config, sim.metrics, sim.clock.executed(), System.nanoTime() - wallStart,
        sim.clock.now(), sim.issued, sim.ended);
  }

  private void runLoop() {
    Failures.schedule(config, clock, servers, this::list);
    startWorkload();
    if (board != null && variant.view().refreshNanos() > 0) {
      refreshBoard();
    }
    while (!(stopped && issued == ended)) {
      if (stopped && clock.now() > stopNanos + config.drainLimitNanos) {
        break;
      }
      if (!clock.runNext()) {
        break;
      }
    }
    cancelOpenAttempts();
    metrics.finish(clock.now());
    for (SimClient c : clients) {
      c.balancer.close();
    }
  }

  private void refreshBoard() {
    board.refresh();
    if (!stopped) {
      clock.schedule(variant.view().refreshNanos(), this::refreshBoard);
    }
  }

  // ---- workload

  private void startWorkload() {
    if (config.durationNanos > 0) {
      // Ends the run on time even when every closed-loop user is stuck on a black hole.
      clock.at(config.durationNanos, this::stop);
    }
    Workload w = config.workload;
    if (w.kind() == Workload.Kind.OPEN) {
      scheduleArrival();
      return;
    }
    for (SimClient c : clients) {
      for (int u = 0; u < w.usersPerClient(); u++) {
        int user = u;
        clock.schedule(think(), () -> userSends(c, user));
      }
    }
  }

  private long think() {
    long mean = config.workload.thinkNanos();
    return mean == 0 ? 0 : Math.round(arrivals.exponential(mean));
  }

  private void scheduleArrival() {
    double rate = variant.clientRate() > 0 ? variant.clientRate() * config.clients : config.workload.ratePerSecond();
    double meanGap = 1e9 / rate;
    clock.schedule(Math.round(arrivals.exponential(meanGap)), this::arrive);
  }

  private void arrive() {
    if (limitReached()) {
      stop();
      return;
    }
    SimClient c = clients[config.clients == 1 ? 0 : arrivals.nextInt(config.clients)];
    newRequest(c, -1);
    scheduleArrival();
  }

  private void userSends(SimClient c, int user) {
    if (stopped || limitReached()) {
      stop();
      return;
    }
    newRequest(c, user);
  }

  private boolean limitReached() {
    return (config.requests > 0 && issued >= config.requests)
        || (config.durationNanos > 0 && clock.now() >= config.durationNanos);
  }

  private void stop() {
    if (!stopped) {
      stopped = true;
      stopNanos = clock.now();
    }
  }

  private void newRequest(SimClient c, int user) {
    issued++;
    PickContext context = variant.key() == Variant.Key.REQUEST
        ? PickContext.ofKey(Long.toHexString(keys.nextLong()))
        : clientKeys[c.index];
    c.send(new Request(c, clock.now(), user, context));
  }

  /** A request ended with {@code outcome}; null when no server could be picked. */
  void requestEnded(Request r, Outcome outcome) {
    ended++;
    metrics.requestEnded(r.startNanos, clock.now(), outcome);
    if (r.user >= 0 && !stopped) {
      SimClient c = r.client;
      int user = r.user;
      clock.schedule(think(), () -> userSends(c, user));
    }
  }

  // ---- open attempts

  void opened(Attempt a) {
    a.previous = openHead.previous;
    a.next = openHead;
    openHead.previous.next = a;
    openHead.previous = a;
  }

  void closed(Attempt a) {
    a.previous.next = a.next;
    a.next.previous = a.previous;
    a.previous = null;
    a.next = null;
  }

  private void cancelOpenAttempts() {
    long now = clock.now();
    while (openHead.next != openHead) {
      Attempt a = openHead.next;
      closed(a);
      a.done = true;
      a.selection.complete(now - a.sentNanos, Outcome.CANCELLED);
      metrics.attemptEnded(now, a.request.startNanos, Outcome.CANCELLED);
      metrics.requestUnfinished(a.request.startNanos);
    }
  }

  // ---- servers and discovery

  SimServer server(Server s) {
    SimServer server = byServer.get(s);
    if (server == null) {
      throw new IllegalStateException("picked a server the fleet does not have: " + s);
    }
    return server;
  }

  /** Discovery starts or stops listing server {@code index}; clients learn of it after their lag. */
  private void list(int index, boolean on) {
    if (listed[index] == on) {
      return;
    }
    listed[index] = on;
    listVersion++;
    List<Server> now = new ArrayList<>(servers.length);
    for (int i = 0; i < servers.length; i++) {
      if (listed[i]) {
        now.add(allServers.get(i));
      }
    }
    List<Server> published = List.copyOf(now);
    for (SimClient c : clients) {
      c.discover(published, listVersion);
    }
  }
}
