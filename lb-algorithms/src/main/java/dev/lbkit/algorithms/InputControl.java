package dev.lbkit.algorithms;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Server;
import dev.lbkit.api.Ticker;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link HealthControl} of one health input: writes that input's slot of the balancer's
 * {@link HealthSignals} on the control plane, then lets the balancer recombine and publish the
 * server's health.
 *
 * <p><b>Threading.</b> Every method may be called from any thread; state changes are queued on
 * the balancer's serialized control plane, and run inline when no other thread is running it.
 */
final class InputControl implements HealthControl {

  private static final Logger log = LoggerFactory.getLogger(InputControl.class);

  private final LoadBalancer balancer;
  private final HealthSignals signals;
  private final int index;

  InputControl(LoadBalancer balancer, HealthSignals signals, int index) {
    this.balancer = balancer;
    this.signals = signals;
    this.index = index;
  }

  @Override
  public String cluster() {
    return balancer.name();
  }

  @Override
  public Ticker ticker() {
    return balancer.ticker();
  }

  @Override
  public RandomSource random() {
    return balancer.random();
  }

  @Override
  public List<Endpoint> endpoints() {
    return balancer.endpoints();
  }

  @Override
  public void setActive(Server server, ActiveHealth verdict, String reason) {
    Objects.requireNonNull(verdict, "verdict");
    balancer.onEndpoint(server, ep -> {
      signals.setActive(server.id(), index, verdict, reason);
      balancer.updateHealth(ep);
    });
  }

  @Override
  public void reportActiveCheck(Server server, boolean passed) {
    // Queued like setActive, so inputs hear of the check after the verdict it produced.
    balancer.onEndpoint(server, ep -> balancer.activeCheckCompleted(ep, passed));
  }

  @Override
  public boolean eject(Server server, String reason) {
    Objects.requireNonNull(reason, "reason");
    boolean[] result = new boolean[1];
    // Exact only on the control plane, or when this call gets to drain it. When another thread
    // is draining, the task is queued and this returns false although the ejection may still
    // happen: inputs that need the answer call eject from a task given to execute().
    balancer.runOnControlPlane(() -> {
      LiveEndpoint ep = balancer.endpoint(server.id());
      if (ep == null) {
        return;
      }
      if (signals.ejectedBy(server.id(), index)) {
        result[0] = true;
        return;
      }
      String refusal = ep.health().ejected() ? null : signals.ejectionRefusal(ep, balancer.endpoints());
      if (refusal != null) {
        // Inputs retry at every multiple of their threshold and at every evaluation: warn once
        // per episode, which ends when an ejection starts or ends.
        if (signals.firstRefusal(server.id())) {
          log.warn("{}: not ejecting {} ({}): {}; it keeps getting picks. Logged once until an ejection starts or ends.",
              balancer.name(), server.id(), reason, refusal);
        } else {
          log.debug("{}: not ejecting {} ({}): {}", balancer.name(), server.id(), reason, refusal);
        }
        return;
      }
      signals.setEjection(server.id(), index, reason);
      balancer.updateHealth(ep);
      result[0] = true;
    });
    return result[0];
  }

  @Override
  public void uneject(Server server) {
    balancer.onEndpoint(server, ep -> {
      if (signals.ejectedBy(server.id(), index)) {
        signals.setEjection(server.id(), index, null);
        balancer.updateHealth(ep);
      }
    });
  }

  @Override
  public void setWeightMultiplier(Server server, double multiplier) {
    if (!(multiplier > 0.0 && multiplier <= 1.0)) {
      throw new IllegalArgumentException("multiplier must be in (0, 1], was " + multiplier);
    }
    balancer.onEndpoint(server, ep -> {
      signals.setMultiplier(server.id(), index, multiplier);
      balancer.updateHealth(ep);
    });
  }

  @Override
  public void setAdmissionGate(Server server, AdmissionGate gate) {
    balancer.onEndpoint(server, ep -> {
      signals.setGate(server.id(), index, gate);
      balancer.markDirty();
    });
  }

  @Override
  public void setDetail(Server server, String key, String value) {
    balancer.onEndpoint(server, ep -> {
      if (value == null) {
        ep.details.remove(key);
      } else {
        ep.details.put(key, value);
      }
    });
  }

  @Override
  public void execute(Runnable task) {
    balancer.execute(task);
  }
}
