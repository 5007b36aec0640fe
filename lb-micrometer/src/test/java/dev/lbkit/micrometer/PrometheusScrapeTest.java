package dev.lbkit.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.api.Server;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.RateLimit;
import dev.lbkit.okhttp.RetryPolicy;
import dev.lbkit.testing.FakeScheduler;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real calls through MockWebServer backends, then a Prometheus scrape: the series, their tags and counts. */
class PrometheusScrapeTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final FakeScheduler scheduler = new FakeScheduler();
  private FakeBackends backends;
  private LoadBalancer lb;

  @AfterEach
  void close() throws IOException {
    if (lb != null) {
      lb.close();
    }
    if (backends != null) {
      backends.close();
    }
    registry.close();
  }

  private static int get(OkHttpClient client, String url) throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
      r.body().string();
      return r.code();
    }
  }

  /** The value of the one series whose line starts with {@code series} (name and labels, in scrape order). */
  private static double value(String scrape, String series) {
    List<String> found = new ArrayList<>();
    for (String line : scrape.split("\n")) {
      if (line.startsWith(series + " ")) {
        found.add(line);
      }
    }
    assertEquals(1, found.size(), "one series " + series + " in:\n" + scrape);
    return Double.parseDouble(found.get(0).substring(series.length() + 1).trim());
  }

  @Test
  void aFailingBackendIsRetriedEjectedAndCountedInTheScrape() throws IOException {
    backends = FakeBackends.start(3, "127.0.0.1");
    backends.dispatchers.get(0).always = new MockResponse.Builder().code(503).build();
    lb = LoadBalancer.builder("user-service").algorithm(Algorithms.roundRobin()).servers(backends.all())
        .healthInput(OutlierDetection.builder().consecutiveFailures(3).failurePercentageEnabled(false)
            .baseEjectionTime(Duration.ofSeconds(30)).scheduler(scheduler).build())
        .maxEjectionPercent(50)
        .build();
    LbMetrics metrics = LbMetrics.of(registry);
    LoadBalancerListener.Registration bound = metrics.bind(lb);
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .listener(metrics.listener())
        .retryPolicy(RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1).maxAttempts(2).build())
        .cluster("user-service", lb)
        .build());
    for (int i = 0; i < 30; i++) {
      assertEquals(200, get(client, "http://user-service/"), "a retry on a good backend answers");
    }
    String bad = backends.server(0).id();
    String good = backends.server(1).id();
    assertEquals(3, backends.dispatchers.get(0).count.get(), "ejected after its third consecutive 503");
    String scrape = registry.scrape();

    // OpenTelemetry's HTTP client metric: one sample per call, retries included.
    assertEquals(30, value(scrape, "http_client_request_duration_seconds_count{error_type=\"none\","
        + "http_request_method=\"GET\",http_response_status_code=\"200\",server_address=\"user-service\","
        + "server_port=\"80\"}"));
    // lbkit's per-attempt timer: three 503s from the bad backend, each retried once.
    assertEquals(3, value(scrape, "lbkit_client_attempt_duration_seconds_count{cluster=\"user-service\","
        + "outcome=\"server_error\",server=\"" + bad + "\"}"));
    assertTrue(value(scrape, "lbkit_client_attempt_duration_seconds_count{cluster=\"user-service\","
        + "outcome=\"success\",server=\"" + good + "\"}") >= 15);
    assertEquals(3, value(scrape, "lbkit_client_retries_total{cluster=\"user-service\",reason=\"status_503\"}"));
    assertEquals(30, value(scrape, "lbkit_lb_requests_total{algorithm=\"round-robin\",cluster=\"user-service\","
        + "outcome=\"success\"}"));
    assertEquals(3, value(scrape, "lbkit_lb_requests_total{algorithm=\"round-robin\",cluster=\"user-service\","
        + "outcome=\"server_error\"}"));
    // The balancer: one ejection, with its reason, and the gauges of one snapshot.
    assertEquals(1, value(scrape, "lbkit_lb_ejections_total{cluster=\"user-service\",reason=\"consecutive_failures\"}"));
    assertEquals(1, value(scrape, "lbkit_lb_servers{cluster=\"user-service\",state=\"ejected\"}"));
    assertEquals(2, value(scrape, "lbkit_lb_servers{cluster=\"user-service\",state=\"pickable\"}"));
    assertEquals(0, value(scrape, "lbkit_lb_panic{algorithm=\"round-robin\",cluster=\"user-service\"}"));

    // Re-admitted after its ejection time: the re-admission counter and the gauges follow.
    backends.dispatchers.get(0).always = null;
    scheduler.advance(Duration.ofSeconds(30));
    scrape = registry.scrape();
    assertEquals(1, value(scrape, "lbkit_lb_readmissions_total{cluster=\"user-service\",reason=\"consecutive_failures\"}"));
    assertEquals(0, value(scrape, "lbkit_lb_servers{cluster=\"user-service\",state=\"ejected\"}"));
    assertEquals(3, value(scrape, "lbkit_lb_servers{cluster=\"user-service\",state=\"pickable\"}"));

    // Unbinding removes the balancer's meters; the client's stay.
    bound.close();
    scrape = registry.scrape();
    assertTrue(!scrape.contains("lbkit_lb_servers{"), scrape);
    assertTrue(scrape.contains("lbkit_client_attempt_duration_seconds_count{"));
  }

  @Test
  void refusalsAreCountedByReasonWithoutRequestValues() throws IOException {
    backends = FakeBackends.start(2, "127.0.0.1");
    for (FakeBackends.FakeDispatcher d : backends.dispatchers) {
      d.always = new MockResponse.Builder().code(503).build();
    }
    lb = LoadBalancer.builder("orders").algorithm(Algorithms.roundRobin()).servers(backends.all()).build();
    LbMetrics metrics = LbMetrics.of(registry);
    metrics.bind(lb);
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .listener(metrics.listener())
        .retryPolicy(RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO, 1).maxAttempts(2)
            .budget(0, 0, Duration.ofSeconds(1)).build())
        .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1, Duration.ofHours(1)).cluster("orders")
            .build())
        .cluster("orders", lb)
        .strict(true)
        .build());
    metrics.bind(client);
    assertEquals(503, get(client, "http://orders/a/secret-path?key=v"));
    assertThrowsIo(() -> get(client, "http://orders/b"));
    assertThrowsIo(() -> get(client, "http://not-a-cluster.example/"));
    String scrape = registry.scrape();
    assertEquals(1, value(scrape, "lbkit_client_retries_refused_total{cluster=\"orders\",reason=\"retry_budget\"}"));
    assertEquals(1, value(scrape, "lbkit_client_rejections_total{cluster=\"orders\",reason=\"rate_limited\"}"));
    assertEquals(1, value(scrape, "lbkit_client_rejections_total{cluster=\"none\",reason=\"unknown_host\"}"));
    assertEquals(1, value(scrape, "http_client_request_duration_seconds_count{error_type=\"lbkit.unknown_host\","
        + "http_request_method=\"GET\",http_response_status_code=\"none\",server_address=\"other\","
        + "server_port=\"80\"}"));
    assertEquals(1, value(scrape, "http_client_request_duration_seconds_count{error_type=\"503\","
        + "http_request_method=\"GET\",http_response_status_code=\"503\",server_address=\"orders\","
        + "server_port=\"80\"}"));
    assertTrue(!scrape.contains("secret-path") && !scrape.contains("not-a-cluster"), "no request value in a tag");
    // The retry levels: a budget of 0% with no reserve allows nothing; the throttle saw one failure,
    // too few to judge, so it allows retries.
    assertEquals(0, value(scrape, "lbkit_client_retry_budget_remaining{cluster=\"orders\"}"));
    assertEquals(1, value(scrape, "lbkit_client_retry_throttle_allowing{cluster=\"orders\"}"));
    assertEquals(1, value(scrape, "lbkit_client_retry_throttle_window_attempts{cluster=\"orders\"}"));
    assertEquals(0, value(scrape, "lbkit_client_retry_throttle_window_successes{cluster=\"orders\"}"));
  }

  @Test
  void noAvailableServerIsCountedByItsReason() throws IOException {
    backends = FakeBackends.start(2, "127.0.0.1");
    lb = LoadBalancer.builder("carts").servers(backends.all()).build();
    LbMetrics metrics = LbMetrics.of(registry);
    metrics.bind(lb);
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().listener(metrics.listener())
        .cluster("carts", lb).build());
    for (Server s : backends.all()) {
      lb.drain(s);
    }
    assertThrowsIo(() -> get(client, "http://carts/"));
    String scrape = registry.scrape();
    assertEquals(1, value(scrape, "lbkit_lb_no_available_server_total{cluster=\"carts\",reason=\"all_draining\"}"));
    assertEquals(2, value(scrape, "lbkit_lb_servers{cluster=\"carts\",state=\"draining\"}"));
  }

  private interface IoCall {
    void run() throws IOException;
  }

  private static void assertThrowsIo(IoCall call) {
    try {
      call.run();
    } catch (IOException expected) {
      return;
    }
    throw new AssertionError("expected an IOException");
  }

  static int count(String scrape, Pattern p) {
    Matcher m = p.matcher(scrape);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
