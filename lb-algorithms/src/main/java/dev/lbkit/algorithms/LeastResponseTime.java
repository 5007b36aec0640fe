package dev.lbkit.algorithms;

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
 * <p><b>Servers without a sample.</b> A server that has no latency sample (new, only cancelled
 * calls, or its last sample expired after three decay times) is costed at the best estimate of
 * the sampled servers it competes with in this pick, and wins a tie: so it is tried as soon as
 * it is no busier than the best server, whatever the others' latencies, and its own answer then
 * sets its estimate. (Costing it at the mean, as before 0.2.0, starved it whenever one slow
 * server held the mean above the best cost.) When no candidate has a sample, every estimate
 * counts as 1, and the pick is least connections.
 *
 * <p><b>Forgiveness.</b> Estimates decay towards zero on read (Finagle, tower), and expire
 * after three decay times, so one slow answer keeps a server out for a bounded time: with the
 * default 10 s decay, at most 30 s. See {@link LiveEndpoint}.
 *
 * <p><b>Failures.</b> A failed call is sampled as at least the runtime's failure penalty
 * (default 1 s, {@link LoadBalancerBuilder#failurePenalty}), never as its measured latency: a
 * refused connection answers in 0.1 ms and would otherwise make a dead server the fastest.
 *
 * <p><b>Cost.</b> Full scan: two O(N) passes (the best estimate, then the minimum cost), one random draw per
 * exact tie. Sampled: two passes over d candidates, O(d²) arithmetic; with d = 2 (P2C) one pass,
 * each candidate's statistics read once. Either way one clock read per pick and one per report
 * (none with {@link LoadBalancerBuilder#coarseClock(boolean) the coarse clock}, or for a report
 * that gives its end time, {@link dev.lbkit.api.Selection#complete(long, dev.lbkit.api.Outcome,
 * long)}), and one 24-byte {@link dev.lbkit.api.Selection} allocated by {@link Endpoint#track()}
 * per pick. Rebuild: O(N) copy; no rebuild on weight changes (weights are not used).
 *
 * <p><b>Invariant.</b> The picked server's cost, as read during the pick, is the lowest among its
 * candidates. A server k times slower than the rest needs k times fewer requests in flight to be
 * picked, so under a steady load its share falls roughly as 1/k and below.
 *
 * <p><b>Example.</b> A: Peak EWMA 10 ms, 2 in flight (cost 30 ms); B: 100 ms, idle (100 ms); C:
 * no sample, idle, costed at the best estimate, 10 ms. The pick takes C; with one request in
 * flight C costs 20 ms and still beats A; with two it ties A at 30 ms, and so on.
 */
final class LeastResponseTime implements Algorithm {

  private final boolean peak;
  private final int choices;

  /** Peak EWMA when {@code peak}, else the plain EWMA; {@code choices} 0 for a full scan. */
  LeastResponseTime(boolean peak, int choices) {
    this.peak = peak;
    this.choices = choices;
  }

  @Override
  public String name() {
    String base = peak ? "least-response-time-peak-ewma"
        : "least-response-time-ewma";
    return choices == 0 ? base : base + "-p" + choices + "c";
  }

  @Override
  public boolean readsLatency() {
    return true;
  }

  @Override
  public boolean rebuildsOnWeightChange() {
    return false;
  }

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    ScoredPicker.Score score = peak ? ScoredPicker.Score.PEAK_EWMA_COST : ScoredPicker.Score.EWMA_COST;
    return new ScoredPicker(endpoints, context, score, choices);
  }

  @Override
  public String toString() {
    return name();
  }
}
