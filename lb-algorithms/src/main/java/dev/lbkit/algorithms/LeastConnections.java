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
 */
final class LeastConnections implements Algorithm {

  static final LeastConnections INSTANCE = new LeastConnections();

  private LeastConnections() {}

  @Override
  public String name() {
    return "least-connections";
  }

  @Override
  public boolean rebuildsOnWeightChange() {
    return false;
  }

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    return new ScoredPicker(endpoints, context, ScoredPicker.Score.IN_FLIGHT, 0);
  }

  @Override
  public String toString() {
    return name();
  }
}
