/**
 * Health mechanisms for the lbkit runtime, each a {@link dev.lbkit.api.HealthInput}: active
 * checks ({@link dev.lbkit.health.ActiveHealthCheck} with {@link dev.lbkit.health.HealthChecks}
 * TCP, HTTP or custom {@link dev.lbkit.health.HealthCheck}s), passive outlier detection ({@link
 * dev.lbkit.health.OutlierDetection}), per-server circuit breakers ({@link
 * dev.lbkit.health.CircuitBreakers}) and slow start ({@link dev.lbkit.health.SlowStart}).
 *
 * <p>Every mechanism reads time from the balancer's injected ticker and schedules on a {@link
 * dev.lbkit.api.Scheduler}: by default one daemon thread, {@code lbkit-health}, shared by every
 * mechanism, which is why their timer tasks never block. Tests pass a virtual-time fake
 * ({@code lb-testing}'s {@code FakeScheduler} and {@code FakeTicker}). Panic mode, priority tiers, drain and the max-ejection cap are rules of the runtime
 * ({@code dev.lbkit.algorithms.LoadBalancer}) that these inputs feed.
 *
 * <pre>{@code
 * LoadBalancer lb = LoadBalancer.builder("user-service")
 *     .servers(servers)
 *     .healthInput(ActiveHealthCheck.aggressive(HealthChecks.http().build()).build())
 *     .healthInput(OutlierDetection.builder().build())
 *     .healthInput(CircuitBreakers.builder().build())
 *     .healthInput(SlowStart.builder().build())
 *     .build();
 * }</pre>
 *
 * <p>Give each balancer its own input instances: an input keeps per-server state for the one
 * balancer that started it, and refuses a second one, whose {@code build()} then fails naming
 * both clusters.
 */
package dev.lbkit.health;
