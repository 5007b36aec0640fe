package dev.lbkit.api;

import java.util.List;
import java.util.function.Function;

/**
 * The runtime's zone stage: given the endpoints of one priority tier, decides how traffic is
 * split between zones, and builds a picker that first chooses a zone and then lets the
 * algorithm choose a server in it.
 *
 * <p>The runtime orders its rules: priority tier first, then zone, then the algorithm. {@link
 * #NONE} ignores zones.
 *
 * <p><b>Threading.</b> {@link #route} runs on the control plane at every rebuild; the picker it
 * returns follows the {@link Picker} contract.
 */
@FunctionalInterface
public interface ZoneRouting {

  /** Ignores zones: the algorithm sees the whole tier. */
  ZoneRouting NONE = (pickable, all, algorithm, context) -> algorithm.apply(pickable);

  /**
   * Builds the tier's picker.
   *
   * @param pickable the tier's endpoints that may be picked (non-empty)
   * @param all every endpoint of the tier, pickable or not, to measure each zone's capacity
   * @param algorithm builds the algorithm's picker over a non-empty subset of {@code pickable}
   * @param context cluster name, clock, randomness and error helper
   */
  Picker route(
      List<Endpoint> pickable,
      List<Endpoint> all,
      Function<List<Endpoint>, Picker> algorithm,
      AlgorithmContext context);

  /**
   * Whether routing reads latency estimates (latency-based zone choice); the runtime then keeps
   * latency statistics. Default false.
   */
  default boolean readsLatency() {
    return false;
  }
}
