/**
 * The lbkit contract: {@link dev.lbkit.api.Server}, {@link dev.lbkit.api.Picker}, {@link
 * dev.lbkit.api.Selection}, {@link dev.lbkit.api.HealthState} and the SPIs that the algorithm,
 * health and discovery modules plug into. JDK types only.
 *
 * <p><b>Two planes.</b> The control plane (server lists, health changes, timers) is serialized
 * by the runtime. The data plane ({@link dev.lbkit.api.Picker#pick}) is lock-free: every change
 * publishes a new immutable picker with one volatile write, and a pick reads it once.
 */
package dev.lbkit.api;
