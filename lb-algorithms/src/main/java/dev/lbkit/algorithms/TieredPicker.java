package dev.lbkit.algorithms;

import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import java.util.List;

/**
 * Chooses a priority tier by its share of traffic, then lets that tier's picker choose; when
 * the avoid set empties the chosen tier, falls back tier by tier. Immutable; picks are
 * lock-free.
 */
final class TieredPicker implements Picker {
  private final Picker[] pickers;
  private final double[] cumulative;
  private final RandomSource random;
  private final SnapshotContext counts;

  TieredPicker(List<Picker> pickers, List<Double> loads, RandomSource random, SnapshotContext counts) {
    this.pickers = pickers.toArray(new Picker[0]);
    this.cumulative = new double[loads.size()];
    double sum = 0;
    for (int i = 0; i < loads.size(); i++) {
      sum += loads.get(i);
      cumulative[i] = sum;
    }
    this.random = random;
    this.counts = counts;
  }

  @Override
  public Selection pick(PickContext ctx) {
    double r = random.nextDouble() * cumulative[cumulative.length - 1];
    int chosen = cumulative.length - 1;
    for (int i = 0; i < cumulative.length; i++) {
      if (r < cumulative[i]) {
        chosen = i;
        break;
      }
    }
    try {
      return pickers[chosen].pick(ctx);
    } catch (NoAvailableServerException exhausted) {
      // Rare path: the avoid set emptied the chosen tier; fall back tier by tier.
      for (int i = 0; i < pickers.length; i++) {
        if (i != chosen) {
          try {
            return pickers[i].pick(ctx);
          } catch (NoAvailableServerException ignored) {
            // try the next tier
          }
        }
      }
      throw counts.noServerAvailable(ctx, null);
    }
  }
}
