package dev.lbkit.api;

import java.util.List;

/**
 * Receives the runtime's state changes. Every method has a no-op default, so the interface can
 * grow without breaking implementations.
 *
 * <p><b>Threading.</b> Called on the serialized control plane, never on the pick path: one event
 * at a time, in the order the changes happened, and each after the snapshot that contains its
 * change is published, so a listener that reads the balancer's {@code servers()} from inside an
 * event sees the change. Listeners must be fast and must not throw: anything thrown is caught
 * and logged, and the other listeners still get the event.
 *
 * <p><b>Several listeners.</b> A balancer takes one at build time and any number later through
 * its {@code addListener}, which returns a {@link Registration}. A listener added late starts
 * with no replay: the balancer's {@code servers()} and {@code inPanic()} give the state at that
 * moment, and every change published after {@code addListener} returns is delivered.
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

  /**
   * An active health check of {@code server} completed, {@code passed} or not, whether or not it
   * changed the server's verdict (which {@link #onHealthChanged} reports).
   */
  default void onActiveCheck(String cluster, Server server, boolean passed) {}

  /**
   * The handle of a listener added to a running balancer. Closing it removes the listener: no
   * event starts after {@link #close} returns, except one already being delivered on another
   * thread. Idempotent.
   */
  @FunctionalInterface
  interface Registration extends AutoCloseable {
    /** Removes the listener. */
    @Override
    void close();
  }
}
