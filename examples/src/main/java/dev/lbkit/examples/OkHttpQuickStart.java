package dev.lbkit.examples;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import java.io.IOException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** The README's quick start: wrapping an OkHttp client so that every call is balanced. */
final class OkHttpQuickStart {

  private OkHttpQuickStart() {}

  /** Calls {@code user-service} once over the given servers and returns the status code. */
  static int callOnce(Server first, Server second) throws IOException {
    // README:okhttp
    LoadBalancer users = LoadBalancer.builder("user-service")
        .servers(first, second)                          // or .source(dns, file, your registry)
        .algorithm(Algorithms.powerOfTwoChoices().build())
        .healthInput(OutlierDetection.builder().build()) // ejects after 5 failures in a row
        .build();
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .cluster("user-service", users)                  // the logical host names the cluster
        .build());
    Request request = new Request.Builder().url("http://user-service/api/users/1").build();
    Response response = client.newCall(request).execute();  // picked, retried, reported
    // README:end
    try (response) {
      return response.code();
    } finally {
      users.close();
    }
  }
}
