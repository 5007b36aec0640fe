package dev.lbkit.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.testing.FakeScheduler;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DNS source against a real dnsmasq. Refreshes run in virtual time on a {@link
 * FakeScheduler}; only the queries themselves are real.
 */
@Timeout(20)
class DnsServerSourceTest {

  private static final String WEB = "web." + Dnsmasq.DOMAIN;
  private static final String USERS_SRV = "_http._tcp.users." + Dnsmasq.DOMAIN;

  @TempDir Path dir;

  private final FakeScheduler scheduler = new FakeScheduler();
  private final FakeListener listener = new FakeListener();
  private Dnsmasq dns;
  private ServerSource source;

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
    if (dns != null) {
      dns.close();
    }
  }

  private DnsSourceBuilder configure(DnsSourceBuilder b) {
    return b.resolver(dns.address())
        .queryTimeout(Duration.ofMillis(500))
        .ttlBounds(Duration.ofSeconds(1), Duration.ofSeconds(300))
        .failureRetry(Duration.ofSeconds(5))
        .scheduler(scheduler)
        .ticker(scheduler.ticker());
  }

  private void startSource(DnsSourceBuilder b) {
    source = configure(b).build();
    source.start(listener);
    scheduler.runDue();
  }

  @Test
  void addressSourceFollowsRecordChangesWithinTheTtl() throws IOException {
    dns = Dnsmasq.start(dir, "--local-ttl=30",
        "--host-record=" + WEB + ",10.0.0.1", "--host-record=" + WEB + ",10.0.0.2");
    startSource(ServerSources.dnsAddresses(WEB, 8080));
    assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080"), listener.lastIds());
    assertEquals(Duration.ofSeconds(30), scheduler.lastDelay(), "refresh after the record TTL");

    // 10.0.0.1 leaves, 10.0.0.3 joins.
    dns.restart("--local-ttl=30",
        "--host-record=" + WEB + ",10.0.0.2", "--host-record=" + WEB + ",10.0.0.3");
    scheduler.advance(Duration.ofSeconds(29));
    assertEquals(1, listener.pushes(), "no query before the TTL expires");
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(2, listener.pushes());
    assertEquals(List.of("10.0.0.2:8080", "10.0.0.3:8080"), listener.lastIds());

    // An unchanged answer is still pushed in full: the runtime diffs it.
    scheduler.advance(Duration.ofSeconds(30));
    assertEquals(3, listener.pushes());
    assertEquals(List.of("10.0.0.2:8080", "10.0.0.3:8080"), listener.lastIds());
  }

  @Test
  void addressSourceReturnsIpv4AndIpv6WithConfiguredAttributes() throws IOException {
    dns = Dnsmasq.start(dir, "--local-ttl=10", "--host-record=" + WEB + ",10.0.0.1,fd00::1");
    startSource(ServerSources.dnsAddresses(WEB, 8443).weight(7).priority(2).zone("a").region("r"));
    assertEquals(
        List.of(
            Server.builder("10.0.0.1", 8443).weight(7).priority(2).zone("a").region("r").build(),
            Server.builder("fd00:0:0:0:0:0:0:1", 8443).weight(7).priority(2).zone("a").region("r").build()),
        listener.last());
    assertEquals("[fd00:0:0:0:0:0:0:1]:8443", listener.last().get(1).id());
  }

  @Test
  void srvRecordsGiveTargetPortWeightAndPriority() throws IOException {
    dns = Dnsmasq.start(dir, "--local-ttl=20",
        "--srv-host=" + USERS_SRV + ",a." + Dnsmasq.DOMAIN + ",8080,0,0",
        "--srv-host=" + USERS_SRV + ",b." + Dnsmasq.DOMAIN + ",8081,0,5",
        "--srv-host=" + USERS_SRV + ",c." + Dnsmasq.DOMAIN + ",9090,1,10");
    startSource(ServerSources.dnsSrv(USERS_SRV));
    List<Server> servers = listener.last();
    servers = servers.stream().sorted((x, y) -> x.id().compareTo(y.id())).collect(java.util.stream.Collectors.toList());
    assertEquals(
        List.of(
            Server.builder("a.lbkit.test", 8080).weight(1).priority(0).build(),
            Server.builder("b.lbkit.test", 8081).weight(5).priority(0).build(),
            Server.builder("c.lbkit.test", 9090).weight(10).priority(1).build()),
        servers,
        "SRV weight 0 becomes the minimum weight 1; priority 0 is the highest tier");
    assertEquals(Duration.ofSeconds(20), scheduler.lastDelay());
  }

  @Test
  void srvTargetsResolveToOneServerPerAddressWhenAsked() throws IOException {
    dns = Dnsmasq.start(dir, "--local-ttl=20",
        "--srv-host=" + USERS_SRV + ",a." + Dnsmasq.DOMAIN + ",8080,0,5",
        "--srv-host=" + USERS_SRV + ",b." + Dnsmasq.DOMAIN + ",8081,1,0",
        "--srv-host=" + USERS_SRV + ",gone." + Dnsmasq.DOMAIN + ",8082,0,1",
        "--host-record=a." + Dnsmasq.DOMAIN + ",10.0.0.1",
        "--host-record=b." + Dnsmasq.DOMAIN + ",10.0.0.2",
        "--host-record=b." + Dnsmasq.DOMAIN + ",10.0.0.3");
    startSource(ServerSources.dnsSrv(USERS_SRV).resolveTargets(true)
        .addressFamily(DnsSourceBuilder.AddressFamily.IPV4));
    List<Server> servers = listener.last().stream()
        .sorted((x, y) -> x.id().compareTo(y.id())).collect(java.util.stream.Collectors.toList());
    assertEquals(
        List.of(
            Server.builder("10.0.0.1", 8080).weight(5).metadata("srv-target", "a.lbkit.test").build(),
            Server.builder("10.0.0.2", 8081).priority(1).metadata("srv-target", "b.lbkit.test").build(),
            Server.builder("10.0.0.3", 8081).priority(1).metadata("srv-target", "b.lbkit.test").build()),
        servers,
        "a target without an address is skipped");
  }

  @Test
  void srvSourceFollowsRestartedRecords() throws IOException {
    dns = Dnsmasq.start(dir, "--local-ttl=5",
        "--srv-host=" + USERS_SRV + ",a." + Dnsmasq.DOMAIN + ",8080,0,1",
        "--srv-host=" + USERS_SRV + ",b." + Dnsmasq.DOMAIN + ",8080,0,1");
    startSource(ServerSources.dnsSrv(USERS_SRV));
    assertEquals(List.of("a.lbkit.test:8080", "b.lbkit.test:8080"), listener.lastIds());
    dns.restart("--local-ttl=5",
        "--srv-host=" + USERS_SRV + ",b." + Dnsmasq.DOMAIN + ",8080,0,1",
        "--srv-host=" + USERS_SRV + ",d." + Dnsmasq.DOMAIN + ",8080,0,1");
    scheduler.advance(Duration.ofSeconds(5));
    assertEquals(List.of("b.lbkit.test:8080", "d.lbkit.test:8080"), listener.lastIds());
  }

  @Test
  void ttlIsClampedToTheConfiguredBounds() throws IOException {
    dns = Dnsmasq.start(dir, "--host-record=" + WEB + ",10.0.0.1");
    source = configure(ServerSources.dnsAddresses(WEB, 80).addressFamily(DnsSourceBuilder.AddressFamily.IPV4))
        .ttlBounds(Duration.ofSeconds(3), Duration.ofSeconds(60))
        .build();
    source.start(listener);
    scheduler.runDue();
    assertEquals(Duration.ofSeconds(3), scheduler.lastDelay(), "dnsmasq's TTL 0 is raised to the minimum");

    dns.restart("--local-ttl=86400", "--host-record=" + WEB + ",10.0.0.1");
    scheduler.advance(Duration.ofSeconds(3));
    assertEquals(Duration.ofSeconds(60), scheduler.lastDelay(), "a day's TTL is lowered to the maximum");
  }

  @Test
  void stoppedDnsServerKeepsTheLastGoodListAndRecovers() throws IOException {
    dns = Dnsmasq.start(dir, "--local-ttl=10", "--host-record=" + WEB + ",10.0.0.1");
    startSource(ServerSources.dnsAddresses(WEB, 80));
    assertEquals(List.of("10.0.0.1:80"), listener.lastIds());

    dns.stop();
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals(1, listener.pushes(), "a failed query pushes nothing");
    assertEquals(Duration.ofSeconds(5), scheduler.lastDelay(), "retry after failureRetry");
    scheduler.advance(Duration.ofSeconds(5));
    assertEquals(1, listener.pushes());
    assertEquals(List.of(), listener.errors);

    dns.restart("--local-ttl=10", "--host-record=" + WEB + ",10.0.0.4");
    scheduler.advance(Duration.ofSeconds(5));
    assertEquals(List.of("10.0.0.4:80"), listener.lastIds());
  }

  @Test
  void nxdomainAfterANonEmptyAnswerKeepsTheLastList() throws IOException {
    dns = Dnsmasq.start(dir, "--local-ttl=10", "--host-record=" + WEB + ",10.0.0.1");
    startSource(ServerSources.dnsAddresses(WEB, 80));
    dns.restart("--local-ttl=10");
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals(1, listener.pushes());
    assertEquals(List.of("10.0.0.1:80"), listener.lastIds());
    assertTrue(scheduler.pending() == 1, "the source keeps asking");
  }

  @Test
  void emptyAnswerAfterANonEmptyOneKeepsTheLastList() throws IOException {
    dns = Dnsmasq.start(dir, "--local-ttl=10", "--host-record=" + WEB + ",10.0.0.1,fd00::1");
    startSource(ServerSources.dnsAddresses(WEB, 80).addressFamily(DnsSourceBuilder.AddressFamily.IPV6));
    assertEquals(List.of("[fd00:0:0:0:0:0:0:1]:80"), listener.lastIds());
    // The name still exists, with an A record only: the AAAA answer is NOERROR and empty.
    dns.restart("--local-ttl=10", "--host-record=" + WEB + ",10.0.0.1");
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals(1, listener.pushes());
  }

  @Test
  void nxdomainEmptiesTheClusterWhenKeepLastOnEmptyIsOff() throws IOException {
    dns = Dnsmasq.start(dir, "--local-ttl=10", "--host-record=" + WEB + ",10.0.0.1");
    startSource(ServerSources.dnsAddresses(WEB, 80).keepLastOnEmpty(false));
    dns.restart("--local-ttl=10");
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals(2, listener.pushes());
    assertEquals(List.of(), listener.last());
  }

  @Test
  void nxdomainAtStartPushesAnEmptyList() throws IOException {
    dns = Dnsmasq.start(dir);
    startSource(ServerSources.dnsSrv("_http._tcp.nobody." + Dnsmasq.DOMAIN));
    assertEquals(List.of(), listener.last());
    assertEquals(Duration.ofSeconds(1), scheduler.lastDelay());
  }
}
