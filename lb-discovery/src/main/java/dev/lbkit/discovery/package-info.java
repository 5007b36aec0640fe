/**
 * Server sources: where a cluster's servers come from.
 *
 * <ul>
 *   <li>{@link dev.lbkit.discovery.ServerSources#of} a fixed list;
 *   <li>{@link dev.lbkit.discovery.ServerSources#file} a file in the {@link
 *       dev.lbkit.discovery.ServerListFormat}, re-read when it changes;
 *   <li>{@link dev.lbkit.discovery.ServerSources#dnsAddresses} and {@link
 *       dev.lbkit.discovery.ServerSources#dnsSrv} DNS A/AAAA and SRV records (Kubernetes headless
 *       services, Consul), refreshed on the records' TTL;
 *   <li>{@link dev.lbkit.discovery.ServerSources#merge} several sources as one.
 * </ul>
 *
 * <p>Every source pushes full lists, keeps the last good list when its origin fails, logs why,
 * and never throws to the balancer. Refreshes run on a {@link dev.lbkit.api.Scheduler}: by
 * default a daemon thread of each source's own, because a refresh may block for a whole DNS
 * query timeout and must not hold up the health mechanisms' shared timer thread. Tests replace
 * it with a virtual-time fake ({@code lb-testing}'s {@code FakeScheduler}).
 *
 * <p>This module depends on {@code lb-api} only. Zone-aware routing, which uses the zones and
 * regions that sources attach to servers, lives in {@code lb-algorithms}
 * ({@code dev.lbkit.algorithms.ZoneAwareRouting}) next to the runtime that applies it.
 */
package dev.lbkit.discovery;
