package dev.lbkit.algorithms;

import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Ticker;
import java.util.List;

/**
 * The context of one snapshot: what its algorithms read (cluster, clock, random source), and
 * the counts that explain an empty pick ({@link #noServerAvailable}). Immutable.
 */
final class SnapshotContext implements AlgorithmContext {
  private final String cluster;
  private final Ticker ticker;
  private final RandomSource random;
  final int total;
  final int unhealthy;
  final int ejected;
  final int drainingCount;
  final int unknown;
  final List<? extends Endpoint> pickable;

  SnapshotContext(
      String cluster, Ticker ticker, RandomSource random, List<? extends Endpoint> all, List<? extends Endpoint> pickable) {
    this.cluster = cluster;
    this.ticker = ticker;
    this.random = random;
    int u = 0;
    int e = 0;
    int d = 0;
    int k = 0;
    for (Endpoint ep : all) {
      switch (ep.health().status()) {
        case UNHEALTHY:
          u++;
          break;
        case EJECTED:
          e++;
          break;
        case DRAINING:
          d++;
          break;
        case UNKNOWN:
          k++;
          break;
        default:
          break;
      }
    }
    this.total = all.size();
    this.unhealthy = u;
    this.ejected = e;
    this.drainingCount = d;
    this.unknown = k;
    this.pickable = pickable;
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

  /** The exception of an empty pick, with the reason its counts show ({@link NoAvailableServerException.Reason#of}). */
  @Override
  public NoAvailableServerException noServerAvailable(PickContext context, String detail) {
    return noServerAvailable(context, null, detail);
  }

  /**
   * The exception of an empty pick for a {@code reason} the thrower knows (panic fail-fast, a
   * refusing admission gate, every server draining), or null for the one the counts show.
   */
  NoAvailableServerException noServerAvailable(
      PickContext context, NoAvailableServerException.Reason reason, String detail) {
    // The failure path only: O(N) here keeps every rebuild free of an id set.
    int avoided = 0;
    if (context.hasAvoid()) {
      for (Endpoint ep : pickable) {
        if (context.avoids(ep.server())) {
          avoided++;
        }
      }
    }
    NoAvailableServerException.Reason why = reason != null ? reason
        : NoAvailableServerException.Reason.of(
            total, pickable.size(), unhealthy, ejected, drainingCount, unknown, avoided);
    return new NoAvailableServerException(
        why, cluster, total, pickable.size(), unhealthy, ejected, drainingCount, unknown, avoided, detail);
  }
}
