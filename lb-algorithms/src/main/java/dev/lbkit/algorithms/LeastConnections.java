package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.Picker;
import java.util.List;

/**
 * Least connections: each pick takes the server with the fewest in-flight requests, breaking
 * ties uniformly at random. Configured weights are ignored, but the health weight multiplier is
 * not: the score is {@code (in-flight + 1) / weightMultiplier}, so a server in slow start (a
 * multiplier below 1) does not take every new request just because it is empty, the failure of
 * Envoy #11050 and Dubbo #14406. With every multiplier at 1 this orders servers exactly by
 * in-flight count.
 *
 * <p><b>Source.</b> nginx {@code least_conn} and HAProxy {@code leastconn}. The random tie-break
 * matters: when every server is idle, ties broken by list order send every pick to the first
 * server (the herding nginx avoids by its round-robin tie-break).
 *
 * <p><b>Cost.</b> Pick: one O(N) scan of volatile in-flight counters, one random draw per tie,
 * and one small {@link dev.lbkit.api.Selection} allocated by {@link Endpoint#track()}, which
 * counts the request until {@code complete} is called. Rebuild: O(N) copy; weights are ignored,
 * so weight changes do not rebuild.
 *
 * <p><b>Invariant.</b> The picked server's score, as read during the scan, is the minimum over the
 * servers not avoided. Counts read by concurrent picks may be a moment old, so
 * a burst of simultaneous picks can still land on the same idle server; {@link
 * Algorithms#powerOfTwoChoices()} herds less under such bursts.
 *
 * <p><b>Example.</b> In-flight {A: 3, B: 1, C: 1}: B or C, each with probability 1/2. If B is
 * picked and its call is still running, the next pick sees {3, 2, 1} and takes C.
 *
 * <p><b>Weighted least connections</b> ({@link #WEIGHTED}) is the same picker with the score
 * {@code (in-flight + 1) / effective weight}, exact ties broken uniformly at random. Source:
 * nginx {@code least_conn} with weights, LVS {@code wlc}. The score counts the request about to
 * be sent ({@code + 1}), as Envoy's least-request balancer does: with plain {@code in-flight /
 * weight} every idle server scores 0 whatever its weight, so an idle cluster would ignore
 * weights; with {@code + 1} an idle server of weight 10 (score 0.1) beats an idle one of weight
 * 1 (score 1). It costs one division more per server. Weights are read live from {@link
 * Endpoint#effectiveWeight()} at every pick, so slow start and health multipliers act at once
 * and weight changes need no rebuild.
 *
 * <p><b>Example</b> (the seed's): A has 100 in flight and weight 10, B 30 and 5, C 80 and 8.
 * Scores: A 101/10 = 10.1, B 31/5 = 6.2, C 81/8 = 10.125, so B. Without the {@code + 1} the
 * scores are 10, 6 and 10: still B.
 */
final class LeastConnections implements Algorithm {

  /** {@code (in-flight + 1) / weight multiplier}: configured weights ignored. */
  static final LeastConnections UNWEIGHTED =
      new LeastConnections("least-connections", ScoredPicker.Score.IN_FLIGHT);

  /** {@code (in-flight + 1) / effective weight}. */
  static final LeastConnections WEIGHTED =
      new LeastConnections("weighted-least-connections", ScoredPicker.Score.WEIGHTED_IN_FLIGHT);

  private final String name;
  private final ScoredPicker.Score score;

  private LeastConnections(String name, ScoredPicker.Score score) {
    this.name = name;
    this.score = score;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean rebuildsOnWeightChange() {
    return false;
  }

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    return new ScoredPicker(endpoints, context, score, 0);
  }

  @Override
  public String toString() {
    return name;
  }
}
