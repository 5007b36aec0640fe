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
   * Reports that an active check of a server completed, {@code passed} or not, whether or not it
   * changed the verdict: every input hears it through {@link HealthInput#onActiveCheck}, after the
   * verdicts set before this call. An input that runs active checks calls it after each check,
   * and after {@link #setActive} when the check changed the verdict. The default does nothing, for
   * controls that have no other inputs to tell.
   */
  default void reportActiveCheck(Server server, boolean passed) {}

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
   * one probe at a time), and tells it how each admitted request ended. A refused server is
   * avoided and the pick is retried. Null removes it. The gate must be lock-free and fast.
   */
  void setAdmissionGate(Server server, AdmissionGate gate);

  /** Publishes a detail shown in the server's snapshot view, such as a breaker state. */
  void setDetail(Server server, String key, String value);

  /** Runs {@code task} on the serialized control plane. */
  void execute(Runnable task);

  /**
   * Asks a server whether to admit one request, and learns how each admitted request ended.
   *
   * <p><b>Contract.</b> The runtime calls {@link #tryAdmit} with the pick it is about to hand
   * out; each pick object is unique to one request. For every pick admitted, the runtime later
   * calls {@link #onEnd} exactly once for that same object: with the reported outcome, or with
   * {@link Outcome#CANCELLED} when the pick is given up before it is sent (another gate refused
   * it, or the caller cancelled). A gate can therefore tell its own probe from a straggler
   * picked before the gate was installed: stragglers never reach {@code onEnd}.
   *
   * <p>Both methods run on the picking or reporting thread: lock-free and fast.
   */
  @FunctionalInterface
  interface AdmissionGate {
    /** Returns true to admit {@code pick}; then {@link #onEnd} follows once for it. */
    boolean tryAdmit(Selection pick);

    /**
     * An admitted pick ended: reported with {@code outcome}, or given up ({@link
     * Outcome#CANCELLED}, latency 0).
     */
    default void onEnd(Selection pick, Outcome outcome, long latencyNanos) {}
  }
}
