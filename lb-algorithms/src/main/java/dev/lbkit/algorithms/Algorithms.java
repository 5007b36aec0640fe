package dev.lbkit.algorithms;

import dev.lbkit.api.Algorithm;

/**
 * The balancing algorithms that ship with lbkit. Each method returns an immutable {@link
 * Algorithm} to hand to {@link LoadBalancer.Builder#algorithm}; implementations are
 * package-private.
 */
public final class Algorithms {

  private Algorithms() {}

  /**
   * Round robin, starting each snapshot at a random index. Allocation-free picks; ignores
   * weights.
   */
  public static Algorithm roundRobin() {
    return RoundRobin.INSTANCE;
  }
}
