package dev.lbkit.api;

import java.util.List;

/**
 * The handle through which one {@link HealthInput} changes servers' health. Each input has its
 * own handle; the runtime combines the signals of all inputs.
 *
 * <p><b>Threading.</b> Every method may be called from any thread. State changes are applied on
 * the runtime's serialized control plane: when called from outside it they are queued and run
 * before the method returns if no other thread is running the control plane, so an ejection
 * decided on a reporting thread takes effect inline.
 */
public interface HealthControl {

  /** The cluster's name. */
  String cluster();

  /** The injected clock. */
  Ticker ticker();

  /** The injected random source. */
  RandomSource random();

  /** The current endpoints, unmodifiable. */
  List<Endpoint> endpoints();

  /** Sets this input's active verdict for a server, with a reason for logs (may be null). */
  void setActive(Server server, ActiveHealth verdict, String reason);

  /**
   * Ejects a server for {@code reason}, unless that would exceed the runtime's maximum
   * ejection percentage (counted after this ejection, across every input) or leave no
   * pickable server. Returns whether the server is now ejected by this input.
   */
  boolean eject(Server server, String reason);

  /** Lifts this input's ejection of a server; no-op when not ejected by this input. */
  void uneject(Server server);

  /** Sets this input's weight multiplier for a server, in (0, 1]; 1 means no effect. */
  void setWeightMultiplier(Server server, double multiplier);

  /**
   * Installs a gate that the runtime asks, after an algorithm chose the server and before the
   * selection is returned, whether the request may go there (a half-open circuit breaker admits
   * one probe at a time). A refused server is avoided and the pick is retried. Null removes it.
   * The gate must be lock-free and fast.
   */
  void setAdmissionGate(Server server, AdmissionGate gate);

  /** Publishes a detail shown in the server's snapshot view, such as a breaker state. */
  void setDetail(Server server, String key, String value);

  /** Runs {@code task} on the serialized control plane. */
  void execute(Runnable task);

  /** Asks a server whether to admit one request. */
  @FunctionalInterface
  interface AdmissionGate {
    /** Returns true to admit one request; the input learns its end through {@code onOutcome}. */
    boolean tryAdmit();
  }
}
