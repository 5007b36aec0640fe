package dev.lbkit.examples;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.okhttp.CallPolicy;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.RetryPolicy;
import dev.lbkit.okhttp.RouteRule;
import dev.lbkit.okhttp.StickyPolicy;
import java.time.Duration;

/**
 * The README's policies per cluster and per route: retries and timeouts that differ by cluster
 * and by path, and stickiness for one path of a service.
 */
final class PerRouteExample {

  private PerRouteExample() {}

  /** Config-wide timeouts, a cluster without retries, and a path with a longer call timeout. */
  static LbConfig policies(LoadBalancer shop, LoadBalancer reports) {
    // README:per-route
    return LbConfig.builder()
        .callTimeout(Duration.ofSeconds(5))            // every call, unless its route says otherwise
        .cluster("shop", shop)
        .cluster("reports", reports)
        .callPolicy("reports", CallPolicy.builder()    // every call to the reports cluster
            .retryPolicy(RetryPolicy.NONE)
            .attemptTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(30), null)
            .build())
        .rule(RouteRule.builder().host("reports").pathPrefix("/export/").toCluster("reports")
            .callPolicy(CallPolicy.builder().callTimeout(Duration.ofMinutes(2)).build())
            .build())                                  // one path of it: 2 minutes
        .build();
    // README:end
  }

  /** Requests under {@code /cart/} stick to one server of {@code shop}; the others do not. */
  static LbConfig stickyCart(LoadBalancer shop) {
    // README:sticky-route
    return LbConfig.builder()
        .cluster("shop", shop)
        .cluster("shop-cart", shop)                    // the same balancer under a second name
        .sticky("shop-cart", StickyPolicy.balancerCookie("lb-cart"))
        .rule(RouteRule.builder().host("shop").pathPrefix("/cart/").toCluster("shop-cart").build())
        .build();
    // README:end
  }
}
