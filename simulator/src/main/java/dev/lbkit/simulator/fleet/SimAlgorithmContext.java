package dev.lbkit.simulator.fleet;

import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Ticker;

/**
 * The {@link AlgorithmContext} for pickers the simulator builds itself with {@code
 * Algorithm.newPicker}: virtual time, the client's random stream, and an explained empty pick.
 */
public final class SimAlgorithmContext implements AlgorithmContext {

  private final String cluster;
  private final Ticker ticker;
  private final RandomSource random;
  private final int total;

  /** A context for a cluster of {@code total} servers. */
  public SimAlgorithmContext(String cluster, Ticker ticker, RandomSource random, int total) {
    this.cluster = cluster;
    this.ticker = ticker;
    this.random = random;
    this.total = total;
  }

  @Override
  public String cluster() {
    return cluster;
  }

  @Override
  public Ticker ticker() {
    return ticker;
  }

  @Override
  public RandomSource random() {
    return random;
  }

  @Override
  public NoAvailableServerException noServerAvailable(PickContext context, String detail) {
    int avoided = Math.min(total, context.avoidIds().size());
    return new NoAvailableServerException(cluster, total, total, 0, 0, 0, 0, avoided, detail);
  }
}
