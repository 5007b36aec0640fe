package dev.lbkit.algorithms;

import dev.lbkit.algorithms.Algorithms.LatencyEstimate;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.Picker;
import java.util.List;

/**
 * Least response time: each pick takes the server with the lowest expected cost {@code latency
 * estimate × (in-flight + 1)}, either over every server or over {@code d} random ones.
 *
 * <p><b>Source.</b> Finagle's {@code P2CPeakEwma} balancer and Twitter's "Peak EWMA" (Finagle
 * {@code PeakEwma}; Linkerd's Kubernetes post "Beyond Round Robin", 2016). The estimate is kept
 * per server by the runtime ({@link Endpoint#peakEwmaNanos()} or {@link
 * Endpoint#latencyEwmaNanos()}), decaying with the runtime's EWMA decay time, 10 s by default as
 * Finagle's. Peak EWMA jumps up at once on a slow response and decays gradually on fast ones, so a
 * server that turns slow is avoided within one response.
 *
 * <p><b>Servers without a sample.</b> A server that has no latency sample yet (new, or only
 * cancelled calls) is costed at the mean estimate of the sampled servers it competes with in this
 * pick; when no candidate has a sample, every estimate counts as 1, and the pick is least
 * connections. So a new server is treated as a typical one: it gets a typical share until its
 * first response sets its own estimate, and it neither wins every pick (as it would at cost 0)
 * nor loses every pick (as at an infinite cost).
 *
 * <p><b>Cost.</b> Full scan: two O(N) passes (the mean, then the minimum), one random draw per
 * exact tie. Sampled: two passes over d candidates, O(d²) arithmetic. Either way one {@link
 * dev.lbkit.api.Selection} allocated by {@link Endpoint#track()} per pick. Rebuild: O(N) copy; no
 * rebuild on weight changes (weights are not used).
 *
 * <p><b>Invariant.</b> The picked server's cost, as read during the pick, is the lowest among its
 * candidates. A server k times slower than the rest needs k times fewer requests in flight to be
 * picked, so under a steady load its share falls roughly as 1/k and below.
 *
 * <p><b>Example.</b> A: Peak EWMA 10 ms, 2 in flight (cost 30 ms); B: 100 ms, idle (100 ms); C:
 * no sample, idle, costed at the mean (10 + 100) / 2 = 55 ms. The pick takes A; once A has 5 in
 * flight (60 ms) it takes C.
 */
final class LeastResponseTime implements Algorithm {

  private final LatencyEstimate estimate;
  private final int choices;

  LeastResponseTime(LatencyEstimate estimate, int choices) {
    this.estimate = estimate;
    this.choices = choices;
  }

  @Override
  public String name() {
    String base = estimate == LatencyEstimate.PEAK_EWMA ? "least-response-time-peak-ewma"
        : "least-response-time-ewma";
    return choices == 0 ? base : base + "-p" + choices + "c";
  }

  @Override
  public boolean rebuildsOnWeightChange() {
    return false;
  }

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    ScoredPicker.Score score = estimate == LatencyEstimate.PEAK_EWMA
        ? ScoredPicker.Score.PEAK_EWMA_COST : ScoredPicker.Score.EWMA_COST;
    return new ScoredPicker(endpoints, context, score, choices);
  }

  @Override
  public String toString() {
    return name();
  }
}
