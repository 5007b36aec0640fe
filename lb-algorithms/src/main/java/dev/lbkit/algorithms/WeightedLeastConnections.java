package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.Picker;
import java.util.List;

/**
 * Weighted least connections: each pick takes the server with the lowest {@code (in-flight + 1)
 * / effective weight}, breaking exact ties uniformly at random.
 *
 * <p><b>Source.</b> nginx {@code least_conn} with weights, LVS {@code wlc}. The score counts the
 * request about to be sent ({@code + 1}), as Envoy's least-request balancer does: with plain
 * {@code in-flight / weight} every idle server scores 0 whatever its weight, so an idle cluster
 * would ignore weights; with {@code + 1} an idle server of weight 10 (score 0.1) beats an idle
 * one of weight 1 (score 1).
 *
 * <p><b>Cost.</b> Pick: one O(N) scan, one division per server, one {@link
 * dev.lbkit.api.Selection} allocated by {@link Endpoint#track()}. Rebuild: O(N) copy. Weights are
 * read live from {@link Endpoint#effectiveWeight()} at every pick, so slow start and health
 * multipliers act at once and weight changes need no rebuild.
 *
 * <p><b>Invariant.</b> The picked server's score, as read during the scan, is the minimum over the
 * servers not avoided.
 *
 * <p><b>Example</b> (the seed's): A has 100 in flight and weight 10, B 30 and 5, C 80 and 8.
 * Scores: A 101/10 = 10.1, B 31/5 = 6.2, C 81/8 = 10.125, so B. Without the {@code + 1} the
 * scores are 10, 6 and 10: still B.
 */
final class WeightedLeastConnections implements Algorithm {

  static final WeightedLeastConnections INSTANCE = new WeightedLeastConnections();

  private WeightedLeastConnections() {}

  @Override
  public String name() {
    return "weighted-least-connections";
  }

  @Override
  public boolean rebuildsOnWeightChange() {
    return false;
  }

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    return new ScoredPicker(endpoints, context, ScoredPicker.Score.WEIGHTED_IN_FLIGHT, 0);
  }

  @Override
  public String toString() {
    return name();
  }
}
