package dev.lbkit.algorithms;

import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Ticker;
import java.util.List;

/**
 * An {@link AlgorithmContext} for pickers built directly in tests: cluster "test", every given
 * endpoint pickable, a seeded random source.
 */
final class FakeAlgorithmContext implements AlgorithmContext {

  private final RandomSource random;
  private final int total;

  FakeAlgorithmContext(long seed, int total) {
    this(RandomSource.seeded(seed), total);
  }

  FakeAlgorithmContext(RandomSource random, int total) {
    this.random = random;
    this.total = total;
  }

  static FakeAlgorithmContext of(long seed, List<? extends Endpoint> endpoints) {
    return new FakeAlgorithmContext(seed, endpoints.size());
  }

  @Override
  public String cluster() {
    return "test";
  }

  @Override
  public Ticker ticker() {
    return () -> 0L;
  }

  @Override
  public RandomSource random() {
    return random;
  }

  @Override
  public NoAvailableServerException noServerAvailable(PickContext context, String detail) {
    int avoided = Math.min(total, context.avoidIds().size());
    return new NoAvailableServerException("test", total, total, 0, 0, 0, 0, avoided, detail);
  }
}
