package dev.lbkit.simulator.fleet;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.List;

/**
 * Wraps a real algorithm so that every selection its pickers hand out is recorded, and counts
 * how often it is completed: the invariant-checking wrapper of the exactly-once tests.
 */
final class CheckingAlgorithm implements Algorithm {

  private final Algorithm delegate;
  final List<CountingSelection> selections = new ArrayList<>();

  CheckingAlgorithm(Algorithm delegate) {
    this.delegate = delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public boolean readsLatency() {
    return delegate.readsLatency();
  }

  @Override
  public boolean rebuildsOnWeightChange() {
    return delegate.rebuildsOnWeightChange();
  }

  @Override
  public Picker newPicker(List<Endpoint> endpoints, AlgorithmContext context) {
    Picker picker = delegate.newPicker(endpoints, context);
    return ctx -> {
      CountingSelection s = new CountingSelection(picker.pick(ctx));
      selections.add(s);
      return s;
    };
  }

  /** A selection that counts its completions and remembers the last outcome. */
  static final class CountingSelection implements Selection {
    final Selection delegate;
    int completions;
    Outcome outcome;

    CountingSelection(Selection delegate) {
      this.delegate = delegate;
    }

    @Override
    public Server server() {
      return delegate.server();
    }

    @Override
    public void complete(long latencyNanos, Outcome o) {
      completions++;
      outcome = o;
      delegate.complete(latencyNanos, o);
    }
  }
}
