package dev.lbkit.examples.integration;

import static dev.lbkit.examples.integration.IntegrationPassiveHealthTest.pickCounts;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.ServerSource;
import dev.lbkit.discovery.Dnsmasq;
import dev.lbkit.discovery.DnsSourceBuilder;
import dev.lbkit.discovery.ServerSources;
import dev.lbkit.testing.FakeScheduler;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS discovery end to end: a real DNS source asks a real dnsmasq (on a free port of 127.0.0.1)
 * and feeds a real {@link LoadBalancer}. Refreshes run in virtual time ({@link FakeScheduler}); the
 * queries themselves are real UDP on loopback. The resolved addresses are never contacted.
 */
class IntegrationDnsTest {

  private static final String NAME = "users." + Dnsmasq.DOMAIN;
  private static final int TTL_SECONDS = 10;
  private static final Duration FAILURE_RETRY = Duration.ofSeconds(5);

  private final FakeScheduler time = new FakeScheduler();
  private Dnsmasq dns;

  @TempDir Path dir;

  @AfterEach
  void stopDns() {
    if (dns != null) {
      dns.close();
    }
  }

  private static String[] records(String... lastOctets) {
    String[] r = new String[lastOctets.length + 1];
    r[0] = "--local-ttl=" + TTL_SECONDS;
    for (int i = 0; i < lastOctets.length; i++) {
      r[i + 1] = "--host-record=" + NAME + ",127.0.0." + lastOctets[i];
    }
    return r;
  }

  private LoadBalancer balancer() {
    ServerSource source = ServerSources.dnsAddresses(NAME, 8080)
        .addressFamily(DnsSourceBuilder.AddressFamily.IPV4)
        .resolver(dns.address())
        .ttlBounds(Duration.ofSeconds(1), Duration.ofMinutes(5))
        .queryTimeout(Duration.ofMillis(500))
        .failureRetry(FAILURE_RETRY)
        .scheduler(time)
        .ticker(time.ticker())
        .build();
    LoadBalancer lb = LoadBalancer.builder("users").algorithm(Algorithms.roundRobin()).source(source).ticker(time.ticker())
        .random(RandomSource.seeded(17)).build();
    time.runDue(); // the first query
    return lb;
  }

  private static Set<String> ids(LoadBalancer lb) {
    Set<String> ids = new TreeSet<>();
    lb.servers().forEach(v -> ids.add(v.server().id()));
    return ids;
  }

  @Test
  void balancerFollowsRecordChangesWithinTheTtl() throws IOException {
    dns = Dnsmasq.start(dir, records("11", "12"));
    try (LoadBalancer lb = balancer()) {
      assertEquals(Set.of("127.0.0.11:8080", "127.0.0.12:8080"), ids(lb));
      assertEquals(Map.of("127.0.0.11:8080", 100, "127.0.0.12:8080", 100), pickCounts(lb, 200));
      Selection inFlightOnRemoved = null;
      for (int i = 0; i < 2 && inFlightOnRemoved == null; i++) {
        Selection s = lb.pick(PickContext.EMPTY);
        if (s.server().id().equals("127.0.0.11:8080")) {
          inFlightOnRemoved = s;
        } else {
          s.complete(1_000_000, Outcome.SUCCESS);
        }
      }

      dns.restart(records("12", "13"));
      time.advance(Duration.ofSeconds(TTL_SECONDS).minusNanos(1));
      assertEquals(Set.of("127.0.0.11:8080", "127.0.0.12:8080"), ids(lb), "no query before the TTL expires");

      time.advance(Duration.ofNanos(1));
      assertEquals(Set.of("127.0.0.12:8080", "127.0.0.13:8080"), ids(lb), "followed at the TTL");
      Map<String, Integer> after = pickCounts(lb, 200);
      assertEquals(Map.of("127.0.0.12:8080", 100, "127.0.0.13:8080", 100), after,
          "the removed address gets no new picks, the added one its share");
      // A call that was in flight on the removed server still completes normally.
      inFlightOnRemoved.complete(1_000_000, Outcome.SUCCESS);
    }
  }

  @Test
  void lastGoodListStaysWhileTheDnsServerIsDown() throws IOException {
    dns = Dnsmasq.start(dir, records("11", "12"));
    try (LoadBalancer lb = balancer()) {
      Set<String> good = Set.of("127.0.0.11:8080", "127.0.0.12:8080");
      assertEquals(good, ids(lb));

      dns.stop();
      time.advance(Duration.ofSeconds(TTL_SECONDS)); // refresh fails: no answer
      assertEquals(good, ids(lb));
      assertEquals(Map.of("127.0.0.11:8080", 100, "127.0.0.12:8080", 100), pickCounts(lb, 200),
          "picks keep working on the last good list");
      time.advance(FAILURE_RETRY); // the retry fails too
      assertEquals(good, ids(lb));
      assertEquals(2, pickCounts(lb, 100).size());

      dns.restart(records("11", "14"));
      time.advance(FAILURE_RETRY);
      assertEquals(Set.of("127.0.0.11:8080", "127.0.0.14:8080"), ids(lb), "followed once DNS answers again");
      assertEquals(Map.of("127.0.0.11:8080", 50, "127.0.0.14:8080", 50), pickCounts(lb, 100));
    }
  }

  @Test
  void emptyAnswerKeepsTheLastGoodList() throws IOException {
    dns = Dnsmasq.start(dir, records("11", "12"));
    try (LoadBalancer lb = balancer()) {
      dns.restart(records()); // NXDOMAIN for the name now
      time.advance(Duration.ofSeconds(TTL_SECONDS));
      assertEquals(Set.of("127.0.0.11:8080", "127.0.0.12:8080"), ids(lb));
      assertEquals(2, pickCounts(lb, 100).size(), "no call fails because of an empty answer");
    }
  }
}
