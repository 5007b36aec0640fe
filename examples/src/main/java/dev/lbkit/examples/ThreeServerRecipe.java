package dev.lbkit.examples;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.health.ActiveHealthCheck;
import dev.lbkit.health.HealthChecks;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import java.util.List;
import okhttp3.CookieJar;
import okhttp3.OkHttpClient;

/**
 * The README's recipe: active checks and outlier detection on a three-server cluster, with
 * settings that hold up when one server fails, recovers, and then another fails.
 */
final class ThreeServerRecipe {

  private ThreeServerRecipe() {}

  /** The recipe's balancer and the client that balances through it. */
  static final class Recipe {
    final LoadBalancer users;
    final OkHttpClient client;

    Recipe(LoadBalancer users, OkHttpClient client) {
      this.users = users;
      this.client = client;
    }
  }

  /** The balancer of the recipe over {@code servers}, and a client that balances through it. */
  static Recipe build(List<Server> servers, CookieJar jar) {
    // README:recipe
    LoadBalancer users = LoadBalancer.builder("user-service")
        .servers(servers)                             // three servers
        .algorithm(Algorithms.powerOfTwoChoices().build())
        // Probes: every 5 s, down after 2 failed checks (10 s), back after 2 passed ones. They find
        // dead servers that get no traffic, and tell when an ejected one has recovered.
        .healthInput(ActiveHealthCheck.aggressive(HealthChecks.http().path("/health").build()).build())
        // Real calls: 5 failures in a row eject a server at once, for 10 s, 20 s, 30 s...; a
        // passing check ends the ejection, so the one ejection three servers allow is free again.
        .healthInput(OutlierDetection.builder().build())
        .build();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient.Builder().cookieJar(jar).build(), LbConfig.builder()
        .cluster("user-service", users)               // retries: 3 attempts, each on a new server
        .build());
    // README:end
    return new Recipe(users, client);
  }
}
