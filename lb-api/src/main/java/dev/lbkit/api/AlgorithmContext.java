package dev.lbkit.api;

/**
 * What the runtime hands an {@link Algorithm} when it builds a picker: the cluster's name, time,
 * randomness, and the way to explain an empty pick.
 */
public interface AlgorithmContext {

  /** The cluster's name, for messages. */
  String cluster();

  /** The injected clock. */
  Ticker ticker();

  /** The injected random source. */
  RandomSource random();

  /**
   * Builds the exception a picker throws when the request's avoid set (or an algorithm-specific
   * limit, named in {@code detail}) leaves nothing to pick. The message counts the cluster's
   * servers by state. Only for the failure path: it allocates.
   */
  NoAvailableServerException noServerAvailable(PickContext context, String detail);
}
