package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.algorithms.ZoneAwareRouting;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Server;
import dev.lbkit.discovery.ServerSources;
import dev.lbkit.etcd.EtcdSources;
import dev.lbkit.health.ActiveHealthCheck;
import dev.lbkit.health.CircuitBreakers;
import dev.lbkit.health.HealthChecks;
import dev.lbkit.health.OutlierDetection;
import dev.lbkit.health.SlowStart;
import dev.lbkit.kubernetes.KubernetesSources;
import dev.lbkit.micrometer.LbMetrics;
import dev.lbkit.okhttp.CallPolicy;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.RateLimit;
import dev.lbkit.okhttp.RetryPolicy;
import dev.lbkit.okhttp.RouteRule;
import dev.lbkit.okhttp.StickyPolicy;
import dev.lbkit.redis.RedisRateLimiterBackend;
import dev.lbkit.zookeeper.ZookeeperSources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Row 13: every public builder and validating factory of every module rejects bad input, with a
 * message naming the field and the bad value. One table: each line is one bad input, its builder,
 * the field and the value as the message must show it. Adding a module's builders is one method
 * of lines plus one entry in {@link #MODULES}; adding a case is one line.
 *
 * <p>A case passes when building throws an {@link IllegalArgumentException} whose message
 * contains the field and the value, or, for a null that the API refuses at once, a {@link
 * NullPointerException} whose message names the field (the JDK's convention for null).
 *
 * <p>The table found six inputs accepted silently, each fixed in its module under a unit test:
 * {@code leastResponseTime().choices(0)} (taken as a full scan), {@code
 * StickyPolicy.hashHeader("X User")}, {@code RateLimit...perKey("X Api")}, {@code
 * RouteRule.Builder.method("GE T")}, {@code .header("X Y", v)} (names no request can carry) and
 * {@code RouteRule.Builder.name("")}.
 */
class Scenario13BadConfigTest {

  /** The catalogues of bad inputs, one per module. New modules add theirs here. */
  private static final List<Consumer<Cases>> MODULES = List.of(
      Scenario13BadConfigTest::lbApi,
      Scenario13BadConfigTest::lbAlgorithms,
      Scenario13BadConfigTest::lbHealth,
      Scenario13BadConfigTest::lbDiscovery,
      Scenario13BadConfigTest::lbOkHttp,
      Scenario13BadConfigTest::lbRedis,
      Scenario13BadConfigTest::lbZookeeper,
      Scenario13BadConfigTest::lbEtcd,
      Scenario13BadConfigTest::lbMicrometer,
      Scenario13BadConfigTest::lbKubernetes);

  private static final Server S = Server.of("10.0.0.1", 80);
  private static final Duration NEG = Duration.ofSeconds(-1);

  static void lbApi(Cases c) {
    c.reject("Server", "host", "''", () -> Server.builder("", 80).build());
    c.reject("Server", "host", "null", () -> Server.builder(null, 80).build());
    c.reject("Server", "host", "'bad host'", () -> Server.builder("bad host", 80).build());
    c.reject("Server", "host", "'http://x'", () -> Server.builder("http://x", 80).build());
    c.reject("Server", "host", "'bücher.example'", () -> Server.builder("bücher.example", 80).build());
    c.reject("Server", "host labels", "'" + "a".repeat(64) + ".example'", () -> Server.builder("a".repeat(64) + ".example", 80).build());
    c.reject("Server", "port", "0", () -> Server.builder("h", 0).build());
    c.reject("Server", "port", "65536", () -> Server.builder("h", 65536).build());
    c.reject("Server", "port", "-1", () -> Server.builder("h", -1).build());
    c.reject("Server", "weight", "0", () -> Server.builder("h", 80).weight(0).build());
    c.reject("Server", "weight", "-3", () -> Server.builder("h", 80).weight(-3).build());
    c.reject("Server", "weight", "1000001", () -> Server.builder("h", 80).weight(1_000_001).build());
    c.reject("Server", "priority", "-1", () -> Server.builder("h", 80).priority(-1).build());
    c.reject("Server", "priority", "128", () -> Server.builder("h", 80).priority(128).build());
    c.reject("Server", "zone", "' '", () -> Server.builder("h", 80).zone(" ").build());
    c.reject("Server", "zone", "null", () -> Server.builder("h", 80).zone(null).build());
    c.reject("Server", "region", "''", () -> Server.builder("h", 80).region("").build());
    c.reject("Server", "metadata", "null=v", () -> Server.builder("h", 80).metadata(null, "v").build());
    c.reject("Server", "metadata", "k=null", () -> Server.builder("h", 80).metadata("k", null).build());
    c.reject("Server.withWeight", "weight", "0", () -> S.withWeight(0));
    c.reject("PickContext", "hashKey", "null", () -> PickContext.ofKey(null));
    c.reject("PickContext", "hashKey", "null", () -> PickContext.builder().hashKey(null).build());
    c.reject("PickContext", "preferred server id", "null", () -> PickContext.builder().preferId(null).build());
    c.reject("PickContext", "attribute", "null=v", () -> PickContext.builder().attribute(null, "v").build());
  }

  static void lbAlgorithms(Cases c) {
    c.reject("LoadBalancer", "name", "''", () -> LoadBalancer.builder("").servers(S).build());
    c.reject("LoadBalancer", "name", "null", () -> LoadBalancer.builder(null).servers(S).build());
    c.reject("LoadBalancer", "servers or source", "neither", () -> LoadBalancer.builder("c").build());
    c.reject("LoadBalancer", "servers and source", "both", () -> LoadBalancer.builder("c").servers(S)
        .source(ServerSources.of(S)).build());
    c.reject("LoadBalancer", "panicThresholdPercent", "101", () -> LoadBalancer.builder("c").servers(S).panicThresholdPercent(101).build());
    c.reject("LoadBalancer", "panicThresholdPercent", "-1", () -> LoadBalancer.builder("c").servers(S).panicThresholdPercent(-1).build());
    c.reject("LoadBalancer", "maxEjectionPercent", "101", () -> LoadBalancer.builder("c").servers(S).maxEjectionPercent(101).build());
    c.reject("LoadBalancer", "overprovisioningFactor", "0.5", () -> LoadBalancer.builder("c").servers(S).overprovisioningFactor(0.5).build());
    c.reject("LoadBalancer", "overprovisioningFactor", "NaN", () -> LoadBalancer.builder("c").servers(S).overprovisioningFactor(Double.NaN).build());
    c.reject("LoadBalancer", "ewmaDecay", "PT0S", () -> LoadBalancer.builder("c").servers(S).ewmaDecay(Duration.ZERO).build());
    c.reject("LoadBalancer", "failurePenalty", "PT-1S", () -> LoadBalancer.builder("c").servers(S).failurePenalty(NEG).build());
    c.reject("LoadBalancer", "leakDetection", "PT0S", () -> LoadBalancer.builder("c").servers(S).leakDetection(Duration.ZERO).build());
    c.reject("LoadBalancer", "servers", "10.0.0.1:80", () -> LoadBalancer.builder("c").servers(S, S).build());
    c.reject("Algorithms.powerOfTwoChoices", "choices", "1", () -> Algorithms.powerOfTwoChoices().choices(1).build());
    c.reject("Algorithms.powerOfTwoChoices", "choices", "33", () -> Algorithms.powerOfTwoChoices().choices(33).build());
    c.reject("Algorithms.leastResponseTime", "choices", "0", () -> Algorithms.leastResponseTime().choices(0).build());
    c.reject("Algorithms.leastResponseTime", "estimate", "null", () -> Algorithms.leastResponseTime().estimate(null).build());
    c.reject("Algorithms.ringHash", "virtualNodesPerServer", "0", () -> Algorithms.ringHash().virtualNodesPerServer(0).build());
    c.reject("Algorithms.ringHash", "maxRingSize", "0", () -> Algorithms.ringHash().maxRingSize(0).build());
    c.reject("Algorithms.ringHash", "maxRingSize", "8388609", () -> Algorithms.ringHash().maxRingSize(8 * 1024 * 1024 + 1).build());
    c.reject("Algorithms.maglev", "tableSize", "2", () -> Algorithms.maglev().tableSize(2).build());
    c.reject("Algorithms.maglev", "tableSize", "100", () -> Algorithms.maglev().tableSize(100).build());
    c.reject("Algorithms.maglev", "tableSize", "16777259", () -> Algorithms.maglev().tableSize(16_777_259).build());
    c.reject("Algorithms.boundedLoadHash", "epsilon", "0.0", () -> Algorithms.boundedLoadHash().epsilon(0).build());
    c.reject("Algorithms.boundedLoadHash", "epsilon", "NaN", () -> Algorithms.boundedLoadHash().epsilon(Double.NaN).build());
    c.reject("Algorithms.boundedLoadHash", "virtualNodesPerServer", "-1", () -> Algorithms.boundedLoadHash().virtualNodesPerServer(-1).build());
    c.reject("ZoneAwareRouting", "localZone", "null", () -> ZoneAwareRouting.builder().build());
    c.reject("ZoneAwareRouting", "localZone", "' '", () -> ZoneAwareRouting.builder().localZone(" ").build());
    c.reject("ZoneAwareRouting", "localRegion", "''", () -> ZoneAwareRouting.builder().localZone("a").localRegion("").build());
    c.reject("ZoneAwareRouting", "spillThresholdPercent", "0", () -> ZoneAwareRouting.builder().localZone("a").spillThresholdPercent(0).build());
    c.reject("ZoneAwareRouting", "latencyExponent", "0.1", () -> ZoneAwareRouting.builder().latencyBased().latencyExponent(0.1).build());
    c.reject("ZoneAwareRouting", "latencyRefresh", "PT0S", () -> ZoneAwareRouting.builder().latencyBased().latencyRefresh(Duration.ZERO).build());
    c.reject("ZoneAwareRouting", "zoneWeights", "{}", () -> ZoneAwareRouting.builder().zoneWeights(Map.of()).build());
    c.reject("ZoneAwareRouting", "zoneWeights[a]", "-1", () -> ZoneAwareRouting.builder().zoneWeights(Map.of("a", -1)).build());
    c.reject("ZoneAwareRouting", "callerShares[b]", "NaN", () -> ZoneAwareRouting.builder().localZone("a")
        .callerShares(Map.of("a", 1.0, "b", Double.NaN)).build());
    c.reject("ZoneAwareRouting", "localZone", "'z'", () -> ZoneAwareRouting.builder().localZone("z").zones("a", "b").strict(true).build());
  }

  static void lbHealth(Cases c) {
    c.reject("OutlierDetection", "consecutiveFailures", "-1", () -> OutlierDetection.builder().consecutiveFailures(-1).build());
    c.reject("OutlierDetection", "failurePercentage", "101", () -> OutlierDetection.builder().failurePercentage(101).build());
    c.reject("OutlierDetection", "minimumRequests", "0", () -> OutlierDetection.builder().minimumRequests(0).build());
    c.reject("OutlierDetection", "window", "0ns", () -> OutlierDetection.builder().window(Duration.ZERO).build());
    c.reject("OutlierDetection", "baseEjectionTime", "-1s", () -> OutlierDetection.builder().baseEjectionTime(NEG).build());
    c.reject("OutlierDetection", "maxEjectionTime", "1s", () -> OutlierDetection.builder().baseEjectionTime(Duration.ofSeconds(5))
        .maxEjectionTime(Duration.ofSeconds(1)).build());
    c.reject("OutlierDetection", "failureOutcomes", "[]", () -> OutlierDetection.builder().failureOutcomes(Set.of()).build());
    c.reject("OutlierDetection", "failureOutcomes", "SUCCESS", () -> OutlierDetection.builder().failureOutcomes(Set.of(Outcome.SUCCESS)).build());
    c.reject("OutlierDetection", "scheduler", "null", () -> OutlierDetection.builder().scheduler(null).build());
    c.reject("CircuitBreakers", "failureRateThreshold", "0", () -> CircuitBreakers.builder().failureRateThreshold(0).build());
    c.reject("CircuitBreakers", "slidingWindowSize", "0", () -> CircuitBreakers.builder().slidingWindowSize(0).build());
    c.reject("CircuitBreakers", "minimumNumberOfCalls", "11", () -> CircuitBreakers.builder().slidingWindowSize(10).minimumNumberOfCalls(11).build());
    c.reject("CircuitBreakers", "waitDurationInOpenState", "0ns", () -> CircuitBreakers.builder().waitDurationInOpenState(Duration.ZERO).build());
    c.reject("CircuitBreakers", "halfOpenProbes", "0", () -> CircuitBreakers.builder().halfOpenProbes(0).build());
    c.reject("CircuitBreakers", "failureOutcomes", "CANCELLED", () -> CircuitBreakers.builder().failureOutcomes(Set.of(Outcome.CANCELLED)).build());
    c.reject("ActiveHealthCheck", "interval", "0ns", () -> ActiveHealthCheck.builder(HealthChecks.tcp()).interval(Duration.ZERO).build());
    c.reject("ActiveHealthCheck", "timeout", "-1s", () -> ActiveHealthCheck.builder(HealthChecks.tcp()).timeout(NEG).build());
    c.reject("ActiveHealthCheck", "timeout", "10s", () -> ActiveHealthCheck.builder(HealthChecks.tcp()).interval(Duration.ofSeconds(10))
        .timeout(Duration.ofSeconds(10)).build());
    c.reject("ActiveHealthCheck", "jitter", "11s", () -> ActiveHealthCheck.builder(HealthChecks.tcp()).interval(Duration.ofSeconds(10))
        .jitter(Duration.ofSeconds(11)).build());
    c.reject("ActiveHealthCheck", "jitter", "-1s", () -> ActiveHealthCheck.builder(HealthChecks.tcp()).jitter(NEG).build());
    c.reject("ActiveHealthCheck", "unhealthyInterval", "0ns", () -> ActiveHealthCheck.builder(HealthChecks.tcp()).unhealthyInterval(Duration.ZERO).build());
    c.reject("ActiveHealthCheck", "rise", "0", () -> ActiveHealthCheck.builder(HealthChecks.tcp()).rise(0).build());
    c.reject("ActiveHealthCheck", "fall", "0", () -> ActiveHealthCheck.builder(HealthChecks.tcp()).fall(0).build());
    c.reject("ActiveHealthCheck", "check", "null", () -> ActiveHealthCheck.builder(null).build());
    c.reject("SlowStart", "window", "0ns", () -> SlowStart.builder().window(Duration.ZERO).build());
    c.reject("SlowStart", "minimumSharePercent", "0", () -> SlowStart.builder().minimumSharePercent(0).build());
    c.reject("SlowStart", "aggression", "NaN", () -> SlowStart.builder().aggression(Double.NaN).build());
    c.reject("SlowStart", "aggression", "-1.0", () -> SlowStart.builder().aggression(-1).build());
    c.reject("SlowStart", "step", "31s", () -> SlowStart.builder().window(Duration.ofSeconds(30)).step(Duration.ofSeconds(31)).build());
    c.reject("HealthChecks.http", "method", "'GE T'", () -> HealthChecks.http().method("GE T").build());
    c.reject("HealthChecks.http", "path", "'health'", () -> HealthChecks.http().path("health").build());
    c.reject("HealthChecks.http", "path", "''", () -> HealthChecks.http().path("").build());
    c.reject("HealthChecks.http", "expectStatus", "99-200", () -> HealthChecks.http().expectStatus(99, 200).build());
    c.reject("HealthChecks.http", "expectStatus", "300-200", () -> HealthChecks.http().expectStatus(300, 200).build());
    c.reject("HealthChecks.http", "X-Token", "a\nb", () -> HealthChecks.http().header("X-Token", "a\nb").build());
  }

  static void lbDiscovery(Cases c) {
    c.reject("ServerSources.dnsAddresses", "name", "'bad name'", () -> ServerSources.dnsAddresses("bad name", 80).build());
    c.reject("ServerSources.dnsAddresses", "name", "null", () -> ServerSources.dnsAddresses(null, 80).build());
    c.reject("ServerSources.dnsAddresses", "port", "0", () -> ServerSources.dnsAddresses("a.example", 0).build());
    c.reject("ServerSources.dnsAddresses", "resolveTargets", "a.example", () -> ServerSources.dnsAddresses("a.example", 80).resolveTargets(true).build());
    c.reject("ServerSources.dnsSrv", "queryTimeout", "PT0S", () -> ServerSources.dnsSrv("_http._tcp.a.example").queryTimeout(Duration.ZERO).build());
    c.reject("ServerSources.dnsSrv", "failureRetry", "PT-1S", () -> ServerSources.dnsSrv("_http._tcp.a.example").failureRetry(NEG).build());
    c.reject("ServerSources.dnsSrv", "minTtl", "PT0S", () -> ServerSources.dnsSrv("_http._tcp.a.example").ttlBounds(Duration.ZERO, Duration.ofSeconds(1)).build());
    c.reject("ServerSources.dnsSrv", "minTtl", "PT10S", () -> ServerSources.dnsSrv("_http._tcp.a.example")
        .ttlBounds(Duration.ofSeconds(10), Duration.ofSeconds(1)).build());
    c.reject("ServerSources.dnsAddresses", "weight", "0", () -> ServerSources.dnsAddresses("a.example", 80).weight(0).build());
    c.reject("ServerSources.dnsAddresses", "priority", "200", () -> ServerSources.dnsAddresses("a.example", 80).priority(200).build());
    c.reject("ServerSources.dnsAddresses", "zone", "''", () -> ServerSources.dnsAddresses("a.example", 80).zone("").build());
    c.reject("ServerSources.dnsAddresses", "region", "' '", () -> ServerSources.dnsAddresses("a.example", 80).region(" ").build());
    c.reject("ServerSources.dnsAddresses", "resolver", "unresolved.example", () -> ServerSources.dnsAddresses("a.example", 80)
        .resolver(InetSocketAddress.createUnresolved("unresolved.example", 53)).build());
    c.reject("ServerSources.file", "path", "null", () -> ServerSources.file(null).build());
    c.reject("ServerSources.file", "pollInterval", "PT0S", () -> ServerSources.file(Path.of("servers.txt")).pollInterval(Duration.ZERO).build());
    c.reject("ServerSources.merge", "sources", "[]", () -> ServerSources.merge());
  }

  static void lbOkHttp(Cases c) {
    LoadBalancer lb = LoadBalancer.builder("users").servers(S).build();
    c.reject("LbConfig", "cluster host", "''", () -> LbConfig.builder().cluster("", lb).build());
    c.reject("LbConfig", "cluster host", "'10.0.0.1'", () -> LbConfig.builder().cluster("10.0.0.1", lb).build());
    c.reject("LbConfig", "cluster host", "'users:8080'", () -> LbConfig.builder().cluster("users:8080", lb).build());
    c.reject("LbConfig", "picker of users", "null", () -> LbConfig.builder().cluster("users", null).build());
    c.reject("LbConfig", "cluster USERS", "twice", () -> LbConfig.builder().cluster("users", lb).cluster("USERS", lb).build());
    c.reject("LbConfig", "sticky policy", "nobody", () -> LbConfig.builder().cluster("users", lb).sticky("nobody", StickyPolicy.hashHeader("X")).build());
    c.reject("LbConfig", "call policy", "nobody", () -> LbConfig.builder().cluster("users", lb).callPolicy("nobody", CallPolicy.INHERIT).build());
    c.reject("LbConfig", "rate limit", "nobody", () -> LbConfig.builder().cluster("users", lb)
        .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1, Duration.ofSeconds(1)).cluster("nobody").build()).build());
    c.reject("LbConfig", "rule", "nobody", () -> LbConfig.builder().cluster("users", lb)
        .rule(RouteRule.builder().toCluster("nobody").build()).build());
    c.reject("LbConfig", "callTimeout", "PT0S", () -> LbConfig.builder().callTimeout(Duration.ZERO).build());
    c.reject("LbConfig", "readTimeout", "PT-1S", () -> LbConfig.builder().attemptTimeouts(null, NEG, null).build());
    c.reject("LbConfig", "connectTimeout", "PT24H0.001S", () -> LbConfig.builder().attemptTimeouts(Duration.ofDays(1).plusMillis(1), null, null).build());
    c.reject("LbConfig", "maxRequestsPerHost", "-1", () -> LbConfig.builder().maxRequestsPerHost(-1).build());
    c.reject("LbConfig", "stickySecret", "15", () -> LbConfig.builder().stickySecret(new byte[15]).build());
    c.reject("LbConfig", "listener", "null", () -> LbConfig.builder().listener(null).build());
    c.reject("CallPolicy", "callTimeout", "PT-1S", () -> CallPolicy.builder().callTimeout(NEG).build());
    c.reject("CallPolicy", "writeTimeout", "PT0S", () -> CallPolicy.builder().attemptTimeouts(null, null, Duration.ZERO).build());
    c.reject("RetryPolicy", "maxAttempts", "0", () -> RetryPolicy.builder().maxAttempts(0).build());
    c.reject("RetryPolicy", "maxAttempts", "11", () -> RetryPolicy.builder().maxAttempts(11).build());
    c.reject("RetryPolicy", "retryableStatuses", "404", () -> RetryPolicy.builder().retryableStatuses(Set.of(404)).build());
    c.reject("RetryPolicy", "initialBackoff", "PT-1S", () -> RetryPolicy.builder().backoff(NEG, Duration.ofSeconds(1), 2).build());
    c.reject("RetryPolicy", "maxBackoff", "PT0.001S", () -> RetryPolicy.builder().backoff(Duration.ofMillis(10), Duration.ofMillis(1), 2).build());
    c.reject("RetryPolicy", "multiplier", "0.5", () -> RetryPolicy.builder().backoff(Duration.ofMillis(10), Duration.ofMillis(100), 0.5).build());
    c.reject("RetryPolicy", "jitter", "1.0", () -> RetryPolicy.builder().jitter(1.0).build());
    c.reject("RetryPolicy", "budgetPercent", "1001", () -> RetryPolicy.builder().budget(1001, 10, Duration.ofSeconds(10)).build());
    c.reject("RetryPolicy", "budgetMinPerSecond", "-1", () -> RetryPolicy.builder().budget(20, -1, Duration.ofSeconds(10)).build());
    c.reject("RetryPolicy", "budgetWindow", "PT2M", () -> RetryPolicy.builder().budget(20, 10, Duration.ofMinutes(2)).build());
    c.reject("RateLimit", "permits", "0", () -> RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 0, Duration.ofSeconds(1)).build());
    c.reject("RateLimit", "permits", "1000001", () -> RateLimit.builder(RateLimit.Algorithm.FIXED_WINDOW, 1_000_001, Duration.ofSeconds(1)).build());
    c.reject("RateLimit", "period", "PT0S", () -> RateLimit.builder(RateLimit.Algorithm.SLIDING_WINDOW, 1, Duration.ZERO).build());
    c.reject("RateLimit", "period", "PT2H", () -> RateLimit.builder(RateLimit.Algorithm.SLIDING_WINDOW, 1, Duration.ofHours(2)).build());
    c.reject("RateLimit", "keyHeader", "' '", () -> RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1, Duration.ofSeconds(1)).perKey(" ").build());
    c.reject("RateLimit", "cluster", "''", () -> RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1, Duration.ofSeconds(1)).cluster("").build());
    c.reject("RateLimit", "maxWait", "PT-1S", () -> RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1, Duration.ofSeconds(1)).maxWait(NEG).build());
    c.reject("RateLimit", "maxKeys", "0", () -> RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1, Duration.ofSeconds(1)).perKey("K").maxKeys(0).build());
    c.reject("RouteRule", "targets", "{}", () -> RouteRule.builder().host("a").build());
    c.reject("RouteRule", "host", "''", () -> RouteRule.builder().host("").toCluster("a").build());
    c.reject("RouteRule", "pathPrefix", "'api'", () -> RouteRule.builder().pathPrefix("api").toCluster("a").build());
    c.reject("RouteRule", "method", "' '", () -> RouteRule.builder().method(" ").toCluster("a").build());
    c.reject("RouteRule", "header", "X=null", () -> RouteRule.builder().header("X", null).toCluster("a").build());
    c.reject("RouteRule", "queryParameter", "=v", () -> RouteRule.builder().queryParameter("", "v").toCluster("a").build());
    c.reject("RouteRule", "cookie", "null=v", () -> RouteRule.builder().cookie(null, "v").toCluster("a").build());
    c.reject("RouteRule", "weight of a", "0", () -> RouteRule.builder().split("a", 0).build());
    c.reject("RouteRule", "cluster a", "twice", () -> RouteRule.builder().split("a", 1).split("a", 2).build());
    c.reject("RouteRule", "cluster", "''", () -> RouteRule.builder().toCluster("").build());
    c.reject("StickyPolicy.balancerCookie", "cookieName", "'a b'", () -> StickyPolicy.balancerCookie("a b"));
    c.reject("StickyPolicy.balancerCookie", "cookieName", "''", () -> StickyPolicy.balancerCookie(""));
    c.reject("StickyPolicy.hashHeader", "header", "null", () -> StickyPolicy.hashHeader(null));
    c.reject("StickyPolicy.hashHeader", "header", "'X User'", () -> StickyPolicy.hashHeader("X User"));
    c.reject("RateLimit", "keyHeader", "'X Api'", () -> RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1, Duration.ofSeconds(1)).perKey("X Api").build());
    c.reject("RouteRule", "method", "'GE T'", () -> RouteRule.builder().method("GE T").toCluster("a").build());
    c.reject("RouteRule", "header", "X Y=v", () -> RouteRule.builder().header("X Y", "v").toCluster("a").build());
    c.reject("RouteRule", "name", "''", () -> RouteRule.builder().name("").toCluster("a").build());
    c.reject("StickyPolicy.applicationCookie", "maxSessions", "0", () -> StickyPolicy.applicationCookie("JSESSIONID", 0, Duration.ofMinutes(1)));
    c.reject("StickyPolicy.applicationCookie", "idle", "PT0S", () -> StickyPolicy.applicationCookie("JSESSIONID", 10, Duration.ZERO));
    c.reject("StickyPolicy.applicationCookie", "cookieName", "'a;b'", () -> StickyPolicy.applicationCookie("a;b"));
  }

  static void lbRedis(Cases c) {
    c.reject("RedisRateLimiterBackend", "uri", "null", () -> RedisRateLimiterBackend.builder(null).build());
    c.reject("RedisRateLimiterBackend", "uri", "'http://cache:6379'", () -> RedisRateLimiterBackend.builder("http://cache:6379").build());
    c.reject("RedisRateLimiterBackend", "uri", "'redis:///0'", () -> RedisRateLimiterBackend.builder("redis:///0").build());
    c.reject("RedisRateLimiterBackend", "uri port", "'redis://cache:70000'", () -> RedisRateLimiterBackend.builder("redis://cache:70000").build());
    c.reject("RedisRateLimiterBackend", "keyPrefix", "'my app'", () -> RedisRateLimiterBackend.builder("redis://cache:6379").keyPrefix("my app").build());
    c.reject("RedisRateLimiterBackend", "timeout", "PT0S", () -> RedisRateLimiterBackend.builder("redis://cache:6379").timeout(Duration.ZERO).build());
    c.reject("RateLimit with a Redis backend", "algorithm", "SLIDING_WINDOW", () -> {
      try (RedisRateLimiterBackend redis = RedisRateLimiterBackend.builder("redis://cache:6379").build()) {
        RateLimit.builder(RateLimit.Algorithm.SLIDING_WINDOW, 10, Duration.ofSeconds(1)).perCluster().backend(redis).build();
      }
    });
  }

  static void lbZookeeper(Cases c) {
    c.reject("ZookeeperSources.discovery", "connectString", "null", () -> ZookeeperSources.discovery("orders").build());
    c.reject("ZookeeperSources.discovery", "serviceName", "''", () -> ZookeeperSources.discovery("").connectString("zk1").build());
    c.reject("ZookeeperSources.discovery", "serviceName", "'a/b'", () -> ZookeeperSources.discovery("a/b").connectString("zk1:2181").build());
    c.reject("ZookeeperSources.discovery", "basePath", "'services'", () -> ZookeeperSources.discovery("orders").connectString("zk1")
        .basePath("services").build());
    c.reject("ZookeeperSources.discovery", "sessionTimeout", "PT0S", () -> ZookeeperSources.discovery("orders").connectString("zk1")
        .sessionTimeout(Duration.ZERO).build());
    c.reject("ZookeeperSources.discovery", "connectionTimeout", "PT-1S", () -> ZookeeperSources.discovery("orders").connectString("zk1")
        .connectionTimeout(NEG).build());
  }

  static void lbEtcd(Cases c) {
    c.reject("EtcdSources.prefix", "prefix", "''", () -> EtcdSources.prefix("").endpoints("http://e:2379").build());
    c.reject("EtcdSources.prefix", "prefix", "'/services/orders'", () -> EtcdSources.prefix("/services/orders").endpoints("http://e:2379").build());
    c.reject("EtcdSources.prefix", "endpoints[0]", "'etcd:2379'", () -> EtcdSources.prefix("/s/").endpoints("etcd:2379").build());
    c.reject("EtcdSources.prefix", "endpoints", "null", () -> EtcdSources.prefix("/s/").build());
    c.reject("EtcdSources.prefix", "requestTimeout", "PT0S", () -> EtcdSources.prefix("/s/").endpoints("http://e:2379")
        .requestTimeout(Duration.ZERO).build());
    c.reject("EtcdSources.prefix", "retryDelay", "PT-1S", () -> EtcdSources.prefix("/s/").endpoints("http://e:2379")
        .retryDelay(NEG).build());
  }

  static void lbMicrometer(Cases c) {
    c.reject("LbMetrics", "maxTaggedServers", "-1", () -> LbMetrics.builder(new SimpleMeterRegistry()).maxTaggedServers(-1).build());
    c.reject("LbMetrics", "maxTaggedServers", "1001", () -> LbMetrics.builder(new SimpleMeterRegistry()).maxTaggedServers(1001).build());
  }

  static void lbKubernetes(Cases c) {
    c.reject("KubernetesSources.endpointSlices", "namespace", "'Prod'", () -> KubernetesSources.endpointSlices("Prod", "users").build());
    c.reject("KubernetesSources.endpointSlices", "namespace", "''", () -> KubernetesSources.endpointSlices("", "users").build());
    c.reject("KubernetesSources.endpointSlices", "serviceName", "'1users'", () -> KubernetesSources.endpointSlices("prod", "1users").build());
    c.reject("KubernetesSources.endpointSlices", "serviceName", "'users_v2'", () -> KubernetesSources.endpointSlices("prod", "users_v2").build());
    c.reject("KubernetesSources.endpointSlices", "portName", "'HTTP'", () -> KubernetesSources.endpointSlices("prod", "users")
        .portName("HTTP").build());
  }

  @Test
  void everyBuilderRejectsBadInputNamingTheFieldAndTheValue() {
    Cases cases = new Cases();
    MODULES.forEach(m -> m.accept(cases));
    long builders = cases.all.stream().map(Case::builder).distinct().count();
    boolean pass = cases.failures.isEmpty();
    ScenarioTable.record("13", cases.all.size() + " bad configurations over " + builders + " public builders and factories of "
            + MODULES.size() + " modules", "100% rejected, naming field and value",
        (cases.all.size() - cases.failures.size()) + "/" + cases.all.size() + " rejected naming field and value", pass);
    assertEquals(List.of(), cases.failures, "bad configurations accepted or rejected without naming the field and value");
  }

  /** One bad input: building it must fail naming {@code field} and {@code value}. */
  private record Case(String builder, String field, String value) {}

  /** Building code that must throw. */
  @FunctionalInterface
  interface Build {
    void run() throws Exception;
  }

  /** The table being filled, and the cases that did not pass. */
  static final class Cases {
    final List<Case> all = new ArrayList<>();
    final List<String> failures = new ArrayList<>();

    void reject(String builder, String field, String value, Build build) {
      Case c = new Case(builder, field, value);
      all.add(c);
      String label = builder + " " + field + "=" + value + ": ";
      try {
        build.run();
        failures.add(label + "accepted");
      } catch (IllegalArgumentException e) {
        String m = String.valueOf(e.getMessage());
        if (!m.contains(field) || !m.contains(value)) {
          failures.add(label + "message does not name both: " + m);
        }
      } catch (NullPointerException e) {
        if (!"null".equals(value) || e.getMessage() == null || !e.getMessage().contains(field)) {
          failures.add(label + e);
        }
      } catch (Exception e) {
        failures.add(label + e);
      }
    }
  }
}
