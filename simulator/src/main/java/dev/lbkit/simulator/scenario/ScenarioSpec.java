package dev.lbkit.simulator.scenario;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A scenario file as written, field for field: what Jackson reads from YAML. Every field but
 * {@code name} may be left out; {@link Scenario#of} applies the defaults and validates. See
 * {@code simulator/scenarios/} for examples and the README's "Fleet simulator" section for the
 * reference.
 */
record ScenarioSpec(
    String name,
    String title,
    String description,
    String kind,
    Long seed,
    Integer clients,
    Integer servers,
    Integer workers,
    Integer queueLimit,
    Service service,
    Map<Integer, Double> speeds,
    Network network,
    Workload workload,
    Long requests,
    Duration duration,
    Duration warmup,
    Duration interval,
    Duration timeout,
    Integer attempts,
    List<String> retryOn,
    Discovery discovery,
    List<Fault> faults,
    Deploy deploy,
    List<Variant> variants,
    List<View> views,
    Bins bins,
    List<String> findings) {

  /** This spec with {@code n} requests and no duration. */
  ScenarioSpec withRequests(long n) {
    return new ScenarioSpec(name, title, description, kind, seed, clients, servers, workers, queueLimit, service,
        speeds, network, workload, n, null, warmup, interval, timeout, attempts, retryOn, discovery, faults, deploy,
        variants, views, bins, findings);
  }

  /** This spec without the balls-into-bins sizes above {@code maxBins}. */
  ScenarioSpec withMaxBins(int maxBins) {
    Bins smaller = bins == null ? null
        : new Bins(bins.choices(), bins.sizes().stream().filter(s -> s.n() != null && s.n() <= maxBins).toList());
    return new ScenarioSpec(name, title, description, kind, seed, clients, servers, workers, queueLimit, service,
        speeds, network, workload, requests, duration, warmup, interval, timeout, attempts, retryOn, discovery, faults,
        deploy, variants, views, smaller, findings);
  }

  /** {@code service: {distribution: exponential, mean: 10ms}}; log-normal takes {@code sigma}. */
  record Service(String distribution, Duration mean, Double sigma) {}

  /** {@code network: {latency: 250us, jitter: 50us}}: one way, per hop. */
  record Network(Duration latency, Duration jitter) {}

  /**
   * {@code workload: {kind: open, utilisation: 0.7}} or {@code {kind: open, rate: 5000}} (per
   * second), or {@code {kind: closed, users: 2, think: 50ms}} (users per client).
   */
  record Workload(String kind, Double rate, Double utilisation, Integer users, Duration think) {}

  /** {@code discovery: {delay: 1s, spread: 2s}}. */
  record Discovery(Duration delay, Duration spread) {}

  /**
   * {@code {kind: slow, server: 0, at: 10s, for: 20s, factor: 10}}; kinds slow, fail-fast (with
   * {@code probability}), refuse, black-hole, restart (with {@code factor} and {@code warmup}
   * for the cold start).
   */
  record Fault(String kind, Integer server, Duration at, @JsonProperty("for") Duration duration,
      Double factor, Double probability, Duration warmup) {}

  /**
   * {@code deploy: {start: 10s, every: 2s, servers: 100, drain: 1s, down: 3s, cold: 5, warmup:
   * 20s, deregister: true}}.
   */
  record Deploy(Duration start, Duration every, Integer servers, Duration drain, Duration down,
      Double cold, Duration warmup, Boolean deregister) {}

  /**
   * {@code {name: P2C, algorithm: power-of-two-choices, choices: 2, view: {kind: board, refresh:
   * 100ms}, slowStart: 30s, outlierDetection: true, key: client, ewmaDecay: 60s, clientRate: 100,
   * retry: {budget: {percent: 30, minPerSecond: 10, window: 10s}, throttle: {window: 20,
   * minAttempts: 10, minSuccessPercent: 20}, backoff: {initial: 25ms, max: 250ms}}}}.
   */
  record Variant(String name, String algorithm, Integer choices, String estimate, View view,
      Duration slowStart, Boolean outlierDetection, String key, Duration ewmaDecay, Double clientRate,
      Retry retry) {}

  /**
   * A variant's {@code retry}: lb-okhttp's retry budget, throttle and backoff; any may be left
   * out (the backoff is then lb-okhttp's default).
   */
  record Retry(RetryBudget budget, RetryThrottle throttle, RetryBackoffSpec backoff) {}

  /**
   * {@code RetryPolicy.Builder.backoff(initial, max, multiplier)} and {@code jitter}: {@code
   * {initial: 25ms, max: 250ms, multiplier: 2, jitter: 0.5}}, lb-okhttp's defaults for the fields
   * left out; {@code initial: 0s} sends retries at once.
   */
  record RetryBackoffSpec(Duration initial, Duration max, Double multiplier, Double jitter) {}

  /** {@code RetryPolicy.Builder.budget(percent, minPerSecond, window)}. */
  record RetryBudget(Integer percent, Integer minPerSecond, Duration window) {}

  /** {@code RetryPolicy.Builder.throttle(window, minAttempts, minSuccessPercent)}. */
  record RetryThrottle(Integer window, Integer minAttempts, Integer minSuccessPercent) {}

  /** {@code own}, {@code reported}, or {@code {kind: board, refresh: 100ms}} (0: live). */
  record View(String kind, Duration refresh) {
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static View of(String kind) {
      return new View(kind, null);
    }

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    static View of(@JsonProperty("kind") String kind, @JsonProperty("refresh") Duration refresh) {
      return new View(kind, refresh);
    }
  }

  /** {@code bins: {choices: [1, 2, 3], sizes: [{n: 1000, runs: 400}, ...]}}. */
  record Bins(List<Integer> choices, List<Size> sizes) {}

  /** One size of balls into bins, and how many runs average its maximum load. */
  record Size(Integer n, Integer runs) {}
}
