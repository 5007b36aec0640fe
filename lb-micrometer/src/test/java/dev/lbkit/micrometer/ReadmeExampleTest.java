package dev.lbkit.micrometer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** The README's "Metrics and tracing" snippet, compiled and run. */
class ReadmeExampleTest {

  @Test
  void theReadmeWiringBindsTheBalancersMeters() {
    MeterRegistry meterRegistry = new SimpleMeterRegistry();
    ObservationRegistry observationRegistry = ObservationRegistry.create();
    try (LoadBalancer users = LoadBalancer.builder("user-service").servers(Server.of("10.0.0.1", 8080)).build()) {
      // README:micrometer
      LbMetrics metrics = LbMetrics.builder(meterRegistry)
          .observationRegistry(observationRegistry)         // optional: one observation per call and attempt
          .build();
      metrics.bind(users);                                  // the balancer's meters (or LbMetrics.bind(users, registry))
      OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
          .cluster("user-service", users)
          .listener(metrics.listener())                     // the client's meters and observations
          .build());
      // README:end
      assertNotNull(client);
      assertFalse(meterRegistry.find("lbkit.lb.servers").gauges().isEmpty(), "the balancer's gauges are bound");
    }
  }
}
