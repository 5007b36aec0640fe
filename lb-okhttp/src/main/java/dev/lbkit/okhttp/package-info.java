/**
 * Balances OkHttp calls across the servers of a cluster.
 *
 * <p>Start with {@link dev.lbkit.okhttp.LbOkHttp#wrap}: it returns a client in which a URL such
 * as {@code http://user-service/api/users/1} names a cluster (a {@link dev.lbkit.api.Picker},
 * usually a {@link dev.lbkit.algorithms.LoadBalancer}) and every call goes to a server picked per
 * attempt. {@link dev.lbkit.okhttp.LbConfig} holds the clusters and the policies: {@link
 * dev.lbkit.okhttp.RouteRule} (layer-7 routing and weighted splits), {@link
 * dev.lbkit.okhttp.RetryPolicy} (RFC 9110 retries with a budget), {@link
 * dev.lbkit.okhttp.StickyPolicy} (session affinity) and {@link dev.lbkit.okhttp.RateLimit}.
 * Every refusal raised inside a call is an {@link dev.lbkit.okhttp.LbException}, an {@link
 * java.io.IOException}. Everything not public here is an implementation detail.
 */
package dev.lbkit.okhttp;
