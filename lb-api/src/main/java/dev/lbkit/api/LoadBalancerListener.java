package dev.lbkit.api;

import java.util.List;

/**
 * Receives the runtime's state changes. Every method has a no-op default, so the interface can
 * grow without breaking implementations.
 *
 * <p>Called on the serialized control plane, never on the pick path. Listeners must be fast
 * and must not throw: anything thrown is caught and logged.
 */
public interface LoadBalancerListener {

  /** A listener that ignores everything. */
  LoadBalancerListener NONE = new LoadBalancerListener() {};

  /** The server list changed. */
  default void onServersChanged(String cluster, List<Server> added, List<Server> removed) {}

  /** A server's health changed; {@code current.reason()} says why. */
  default void onHealthChanged(String cluster, Server server, HealthState previous, HealthState current) {}

  /** The cluster entered ({@code active}) or left panic mode; {@code detail} says why. */
  default void onPanic(String cluster, boolean active, String detail) {}
}
