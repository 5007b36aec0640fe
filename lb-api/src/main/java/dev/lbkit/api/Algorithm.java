package dev.lbkit.api;

import java.util.List;

/**
 * A balancing algorithm: builds an immutable {@link Picker} from a snapshot of endpoints.
 *
 * <p><b>Threading.</b> {@link #newPicker} runs on the runtime's serialized control plane; it
 * may take time proportional to the snapshot (tables, rings). The picker it returns is used
 * from many threads at once: its {@code pick} must be lock-free, must not block, log or call
 * out, and may mutate only its own counters and the endpoints' statistics.
 *
 * <p><b>Contract of the picker.</b> It picks among {@code endpoints} only, honours {@link
 * PickContext#avoids}, never returns null, and when every endpoint is avoided (or refused by an
 * algorithm-specific limit) throws {@link AlgorithmContext#noServerAvailable}.
 */
public interface Algorithm {

  /** A short name for logs and benchmarks, for example {@code round-robin}. */
  String name();

  /**
   * Builds a picker over {@code endpoints}.
   *
   * @param endpoints the endpoints to pick from: non-empty, unmodifiable, without duplicates,
   *     in the order of the server list
   * @param context cluster name, clock, randomness and error helper
   */
  Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context);

  /**
   * Whether the picker depends on effective weights, so that a weight or slow-start change
   * needs a rebuild. Algorithms that read {@link Endpoint#effectiveWeight()} live at pick time
   * may return false and save the rebuilds.
   */
  default boolean rebuildsOnWeightChange() {
    return true;
  }

  /**
   * Checks this algorithm's settings against a static list of {@code serverCount} servers.
   * The runtime calls it when a balancer is built with a fixed server list (a source's lists
   * arrive later and are not checked), so that a setting that cannot serve the list fails at
   * build time rather than skewing traffic. The default accepts any count.
   *
   * @param serverCount the number of servers in the static list
   * @throws IllegalArgumentException naming the setting and its value when it cannot serve
   *     {@code serverCount} servers
   */
  default void validate(int serverCount) {}

  /**
   * Whether the picker reads latency estimates ({@link Endpoint#peakEwmaNanos()}, {@link
   * Endpoint#latencyEwmaNanos()}). The runtime keeps latency statistics only when something
   * reads them, so that a report costs no clock read and no EWMA update otherwise. Default
   * false; least response time returns true.
   */
  default boolean readsLatency() {
    return false;
  }
}
