package dev.lbkit.simulator.fleet;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * A picker built by the real {@link Algorithm} over {@link ViewEndpoint}s. It rides on the
 * client's {@code LoadBalancer} as a health input that changes nothing: the balancer tells it
 * of every server-list and health change, and it rebuilds its picker from the pickable
 * endpoints, as the balancer does for its own (without drain, panic, tiers or zones, which the
 * scenarios do not use together with a view).
 */
final class ViewPicker implements Picker, HealthInput {

  private final Algorithm algorithm;
  private final AlgorithmContext context;
  private final LoadView view;
  private final ToIntFunction<Endpoint> indexOf;
  private HealthControl control;
  private Picker current;

  ViewPicker(Algorithm algorithm, AlgorithmContext context, LoadView view, ToIntFunction<Endpoint> indexOf) {
    this.algorithm = algorithm;
    this.context = context;
    this.view = view;
    this.indexOf = indexOf;
    this.current = empty("no servers yet");
  }

  @Override
  public void start(HealthControl control) {
    this.control = control;
  }

  @Override
  public void onServersChanged(List<Endpoint> endpoints) {
    rebuild(endpoints);
  }

  @Override
  public void onHealthChanged(Endpoint endpoint, HealthState before, HealthState after) {
    if (before.pickable() != after.pickable()) {
      rebuild(control.endpoints());
    }
  }

  private void rebuild(List<Endpoint> endpoints) {
    List<Endpoint> pickable = new ArrayList<>(endpoints.size());
    for (Endpoint e : endpoints) {
      if (e.health().pickable()) {
        pickable.add(new ViewEndpoint(e, view, indexOf.applyAsInt(e)));
      }
    }
    current = pickable.isEmpty() ? empty("no pickable server") : algorithm.newPicker(List.copyOf(pickable), context);
  }

  private Picker empty(String why) {
    return ctx -> {
      throw context.noServerAvailable(ctx, why);
    };
  }

  @Override
  public Selection pick(PickContext ctx) throws NoAvailableServerException {
    return current.pick(ctx);
  }

  @Override
  public String toString() {
    return "ViewPicker{" + algorithm.name() + "}";
  }
}
