package dev.lbkit.benchmarks;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Server;
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

  /** The weights of {@link #servers}' lists, by the name benchmarks take as a parameter. */
  static final List<String> WEIGHTS = List.of("equal", "1-to-3", "up-to-1e6");

  /**
   * Returns {@code n} distinct servers. With {@code weights = "equal"} every weight is 1; with
   * {@code "1-to-3"} the weights are 1, 2, 3, 1, 2, 3, ... (a sum of about 2N, so smooth weighted
   * round robin's cycle stays small); with {@code "up-to-1e6"} each weight is drawn uniformly
   * from [1, 1,000,000] with a fixed seed.
   */
  static List<Server> servers(int n, String weights) {
    if (!WEIGHTS.contains(weights)) {
      throw new IllegalArgumentException("weights must be one of " + WEIGHTS + ", was '" + weights + "'");
    }
    SplittableRandom random = new SplittableRandom(42);
    List<Server> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String host = "127.0." + (i / 250) + "." + (i % 250 + 1);
      int weight;
      switch (weights) {
        case "1-to-3":
          weight = 1 + i % 3;
          break;
        case "up-to-1e6":
          weight = 1 + random.nextInt(MAX_WEIGHT);
          break;
        default:
          weight = 1;
      }
      list.add(Server.builder(host, 8080).weight(weight).build());
    }
    return list;
  }

  /** A balancer over {@code servers} with {@code algorithm} and every other setting at its default. */
  static LoadBalancer balancer(Algorithm algorithm, List<Server> servers) {
    return LoadBalancer.builder("bench").algorithm(algorithm).servers(servers).build();
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
