package dev.lbkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.testing.FakeScheduler;
import dev.lbkit.testing.TestBackend;
import dev.lbkit.testing.TestBackends;
import java.io.IOException;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * The README's example of a test written with {@code lb-testing}: real HTTP to loopback
 * backends, with outlier detection's timers and the retry backoff in virtual time.
 */
class TestKitExampleTest {

  // README:test-kit
  @Test
  void failingBackendIsEjectedAndReadmittedInVirtualTime() throws IOException {
    FakeScheduler scheduler = new FakeScheduler();        // virtual time: timers run on advance()
    try (TestBackends backends = TestBackends.start(3);  // loopback HTTP servers on free ports
        LoadBalancer users = LoadBalancer.builder("users")
            .servers(backends.servers())
            .ticker(scheduler.ticker())
            .healthInput(OutlierDetection.builder().scheduler(scheduler).build())
            .build()) {
      OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
          .cluster("users", users)
          .ticker(scheduler.ticker())
          .sleeper(scheduler.ticker()::advanceNanos)     // retry backoff passes in virtual time
          .build());
      TestBackend bad = backends.get(1).failing(503);    // or .slow(Duration), .dead()
      for (int i = 0; i < 30; i++) {
        assertEquals(200, call(client));                 // a retry on another backend hides each 503
      }
      assertEquals(5, bad.requests());                   // ejected after 5 failures in a row
      bad.healthy();
      scheduler.advance(Duration.ofSeconds(10));         // the ejection time passes at once
      for (int i = 0; i < 30; i++) {
        assertEquals(200, call(client));
      }
      assertEquals(15, bad.requests());                  // back in the round robin: 10 of 30
    }
  }

  static int call(OkHttpClient client) throws IOException {
    try (Response response = client.newCall(new Request.Builder().url("http://users/").build()).execute()) {
      return response.code();
    }
  }
  // README:end
}
