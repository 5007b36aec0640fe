package dev.lbkit.simulator.scenario;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.api.Algorithm;

/** The algorithm names scenario files use, each mapped to its {@link Algorithms} factory. */
final class AlgorithmNames {

  /** Every accepted name, for the error message. */
  static final String ACCEPTED = "round-robin, per-thread-round-robin, smooth-weighted-round-robin, random, "
      + "weighted-random, least-connections, weighted-least-connections, power-of-two-choices, "
      + "least-response-time, ring-hash, maglev, bounded-load-hash, rendezvous";

  private AlgorithmNames() {}

  /**
   * The algorithm called {@code name}; {@code choices} (null for the default) sets d for power of
   * d choices and turns least response time into its sampled form; {@code estimate} {@code ewma}
   * picks the plain EWMA for least response time.
   *
   * @throws IllegalArgumentException naming the unknown algorithm, and the accepted ones
   */
  static Algorithm of(String name, Integer choices, String estimate) {
    if (name == null) {
      throw new IllegalArgumentException("algorithm must be set, was null; one of " + ACCEPTED);
    }
    return switch (name) {
      case "round-robin" -> Algorithms.roundRobin();
      case "per-thread-round-robin" -> Algorithms.perThreadRoundRobin();
      case "smooth-weighted-round-robin" -> Algorithms.smoothWeightedRoundRobin();
      case "random" -> Algorithms.random();
      case "weighted-random" -> Algorithms.weightedRandom();
      case "least-connections" -> Algorithms.leastConnections();
      case "weighted-least-connections" -> Algorithms.weightedLeastConnections();
      case "power-of-two-choices" -> choices == null
          ? Algorithms.powerOfTwoChoices().build()
          : Algorithms.powerOfTwoChoices().choices(choices).build();
      case "least-response-time" -> {
        Algorithms.LeastResponseTimeBuilder b = Algorithms.leastResponseTime();
        if ("ewma".equals(estimate)) {
          b.estimate(Algorithms.LatencyEstimate.EWMA);
        } else if (estimate != null && !"peak-ewma".equals(estimate)) {
          throw new IllegalArgumentException("estimate must be peak-ewma or ewma, was '" + estimate + "'");
        }
        if (choices != null) {
          b.choices(choices);
        }
        yield b.build();
      }
      case "ring-hash" -> Algorithms.ringHash().build();
      case "maglev" -> Algorithms.maglev().build();
      case "bounded-load-hash" -> Algorithms.boundedLoadHash().build();
      case "rendezvous" -> Algorithms.rendezvous();
      default -> throw new IllegalArgumentException("algorithm must be one of " + ACCEPTED + "; was '" + name + "'");
    };
  }
}
