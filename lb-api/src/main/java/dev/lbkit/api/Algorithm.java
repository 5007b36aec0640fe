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
}
