package dev.lbkit.api;

import java.util.List;

/**
 * A mechanism that changes servers' health: active checks, outlier detection, circuit
 * breakers, slow start. The runtime attaches each input once and gives it a {@link
 * HealthControl} of its own; signals from different inputs combine (any ejection ejects, the
 * worst active verdict wins, weight multipliers multiply).
 *
 * <p><b>Threading.</b> {@link #start}, {@link #onServersChanged}, {@link #onHealthChanged},
 * {@link #onActiveCheck} and {@link #close} run on the runtime's serialized control plane. {@link #onOutcome} runs on the
 * thread that reported the outcome, concurrently with everything else: it must be fast and
 * non-blocking, and hands any state change to {@link HealthControl#execute}. Exceptions thrown by an input are caught and
 * logged by the runtime, except from {@link #start}: an input that cannot start fails the
 * balancer's {@code build()}.
 */
public interface HealthInput extends AutoCloseable {

  /**
   * Called once when the runtime attaches this input. An input that keeps per-balancer state
   * throws {@link IllegalStateException} when a second balancer starts it; what it throws fails
   * that balancer's {@code build()}.
   */
  void start(HealthControl control);

  /**
   * The server set changed; {@code endpoints} is the full current set. Servers that left need
   * no explicit forgetting by the control: their signals are dropped by the runtime.
   */
  default void onServersChanged(List<Endpoint> endpoints) {}

  /**
   * One request to {@code endpoint} completed. Called after the endpoint's statistics were
   * updated.
   */
  default void onOutcome(Endpoint endpoint, Outcome outcome, long latencyNanos) {}

  /**
   * A server's combined health changed, whichever input (or drain) changed it; runs on the
   * control plane after the new state was published. Slow start uses it to begin a ramp at the
   * moment a server becomes pickable.
   */
  default void onHealthChanged(Endpoint endpoint, HealthState before, HealthState after) {}

  /**
   * An active check of {@code endpoint} completed, {@code passed} or not; reported by the input
   * that ran it ({@link HealthControl#reportActiveCheck}) and heard by every input, on the control
   * plane, after the verdict that check produced (if any) was applied. Outlier detection uses it
   * to lift an ejection when a check passes on a server whose verdict is healthy, as Envoy's
   * {@code successful_active_health_check_uneject_host} does.
   */
  default void onActiveCheck(Endpoint endpoint, boolean passed) {}

  /** Stops timers and releases resources. Idempotent. */
  @Override
  default void close() {}
}
