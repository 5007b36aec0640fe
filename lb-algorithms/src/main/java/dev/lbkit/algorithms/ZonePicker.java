package dev.lbkit.algorithms;

import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;

/**
 * Chooses a zone by a random draw over fixed cumulative shares, then lets that zone's
 * algorithm picker choose the server. When the zone's picker has nothing left for this request
 * (its servers are all in the avoid set), the other zones are tried in failover order.
 *
 * <p>Cost per pick: one random double and a scan of at most one entry per zone; no allocation
 * and no lock. The failure path allocates the exception.
 */
final class ZonePicker implements Picker {

  private final Picker[] pickers;
  private final double[] cumulative;
  private final int[] fallback;
  private final RandomSource random;
  private final AlgorithmContext context;

  ZonePicker(Picker[] pickers, double[] shares, int[] fallback, AlgorithmContext context) {
    this.pickers = pickers;
    this.cumulative = new double[shares.length];
    double sum = 0;
    for (int i = 0; i < shares.length; i++) {
      sum += shares[i];
      cumulative[i] = sum;
    }
    this.fallback = fallback;
    this.random = context.random();
    this.context = context;
  }

  @Override
  public Selection pick(PickContext ctx) {
    double[] c = cumulative;
    double r = random.nextDouble() * c[c.length - 1];
    int chosen = fallback[0];
    for (int i = 0; i < c.length; i++) {
      if (r < c[i]) {
        chosen = i;
        break;
      }
    }
    return pickIn(pickers, fallback, chosen, ctx, context);
  }

  /** Picks in zone {@code chosen}, falling back zone by zone when its servers are all avoided. */
  static Selection pickIn(
      Picker[] pickers, int[] fallback, int chosen, PickContext ctx, AlgorithmContext context) {
    try {
      return pickers[chosen].pick(ctx);
    } catch (NoAvailableServerException exhausted) {
      // Rare path: the avoid set (or an algorithm's limit) emptied the chosen zone.
      for (int zone : fallback) {
        if (zone != chosen) {
          try {
            return pickers[zone].pick(ctx);
          } catch (NoAvailableServerException ignored) {
            // try the next zone
          }
        }
      }
      throw context.noServerAvailable(ctx, null);
    }
  }
}
