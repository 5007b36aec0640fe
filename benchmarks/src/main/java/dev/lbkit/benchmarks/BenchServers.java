package dev.lbkit.benchmarks;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Server lists and balancers for the benchmarks. The addresses are never connected to: pick
 * and rebuild benchmarks only need distinct ids.
 */
final class BenchServers {

  /** The largest weight a server may have, {@link Server#MAX_WEIGHT}. */
  static final int MAX_WEIGHT = Server.MAX_WEIGHT;

  private BenchServers() {}

  /**
   * Returns {@code n} distinct servers. With {@code weights = "up-to-1e6"} each weight is drawn
   * uniformly from [1, 1,000,000] with a fixed seed; with {@code "equal"} every weight is 1.
   */
  static List<Server> servers(int n, String weights) {
    SplittableRandom random = new SplittableRandom(42);
    boolean varied;
    switch (weights) {
      case "equal":
        varied = false;
        break;
      case "up-to-1e6":
        varied = true;
        break;
      default:
        throw new IllegalArgumentException("weights must be one of [equal, up-to-1e6], was '" + weights + "'");
    }
    List<Server> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String host = "127.0." + (i / 250) + "." + (i % 250 + 1);
      int weight = varied ? 1 + random.nextInt(MAX_WEIGHT) : 1;
      list.add(Server.builder(host, 8080).weight(weight).build());
    }
    return list;
  }

  /** A balancer over {@code servers} with {@code algorithm} and every other setting at its default. */
  static LoadBalancer balancer(Algorithm algorithm, List<Server> servers) {
    return LoadBalancer.builder("bench").algorithm(algorithm).servers(servers).build();
  }

  /**
   * Whether the algorithm's picks count in-flight requests, so that a pick must be followed by
   * its report for the count to stay balanced. Found by picking once and looking at the counts.
   */
  static boolean tracksInFlight(LoadBalancer lb, PickContext context) {
    Selection s = lb.pick(context);
    int inFlight = 0;
    for (ServerView v : lb.servers()) {
      inFlight += v.inFlight();
    }
    s.complete(1_000_000L, dev.lbkit.api.Outcome.SUCCESS);
    return inFlight > 0;
  }

  /**
   * The arguments the runtime passes to {@link Algorithm#newPicker}, captured from a real
   * balancer so that rebuild benchmarks call the algorithm exactly as the runtime does.
   */
  record Captured(List<Endpoint> endpoints, AlgorithmContext context) {}

  /** Builds a balancer over {@code servers} and captures the endpoints and context of its last rebuild. */
  static Captured capture(List<Server> servers) {
    CapturingAlgorithm capturing = new CapturingAlgorithm();
    try (LoadBalancer lb = balancer(capturing, servers)) {
      lb.pick();
    }
    if (capturing.endpoints == null) {
      throw new IllegalStateException("the balancer built no picker");
    }
    return new Captured(capturing.endpoints, capturing.context);
  }

  private static final class CapturingAlgorithm implements Algorithm {
    List<Endpoint> endpoints;
    AlgorithmContext context;

    @Override
    public String name() {
      return "capturing";
    }

    @Override
    public Picker newPicker(List<Endpoint> list, AlgorithmContext ctx) {
      this.endpoints = list;
      this.context = ctx;
      Endpoint first = list.get(0);
      return c -> first.selection();
    }
  }
}
