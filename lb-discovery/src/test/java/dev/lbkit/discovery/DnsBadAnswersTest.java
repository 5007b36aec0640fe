package dev.lbkit.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.testing.FakeScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Answers dnsmasq cannot give (malformed messages, SERVFAIL, silence), from an in-test UDP
 * responder ({@link FakeDnsResponder}). The last good list must stay and nothing may throw.
 */
@Timeout(20)
class DnsBadAnswersTest {

  private final FakeScheduler scheduler = new FakeScheduler();
  private final FakeListener listener = new FakeListener();
  private FakeDnsResponder dns;
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

  private void start() throws Exception {
    dns = new FakeDnsResponder();
    source = ServerSources.dnsAddresses("web.example", 80)
        .addressFamily(DnsSourceBuilder.AddressFamily.IPV4)
        .resolver(dns.address())
        .queryTimeout(Duration.ofMillis(300))
        .ttlBounds(Duration.ofSeconds(1), Duration.ofSeconds(300))
        .failureRetry(Duration.ofSeconds(5))
        .scheduler(scheduler)
        .ticker(scheduler.ticker())
        .build();
    source.start(listener);
    scheduler.runDue();
    assertEquals(List.of("10.0.0.1:80", "10.0.0.2:80"), listener.lastIds());
    assertEquals(Duration.ofSeconds(60), scheduler.lastDelay());
  }

  @Test
  void malformedAnswerKeepsTheLastGoodList() throws Exception {
    start();
    dns.mode(FakeDnsResponder.Mode.MALFORMED);
    scheduler.advance(Duration.ofSeconds(60));
    assertEquals(1, listener.pushes());
    assertEquals(Duration.ofSeconds(5), scheduler.lastDelay(), "a malformed answer counts as a failure");
    assertEquals(List.of(), listener.errors);
    dns.mode(FakeDnsResponder.Mode.VALID);
    scheduler.advance(Duration.ofSeconds(5));
    assertEquals(2, listener.pushes());
  }

  @Test
  void servfailKeepsTheLastGoodList() throws Exception {
    start();
    dns.mode(FakeDnsResponder.Mode.SERVFAIL);
    scheduler.advance(Duration.ofSeconds(60));
    assertEquals(1, listener.pushes());
    assertEquals(Duration.ofSeconds(5), scheduler.lastDelay());
  }

  @Test
  void timeoutKeepsTheLastGoodList() throws Exception {
    start();
    dns.mode(FakeDnsResponder.Mode.SILENT);
    scheduler.advance(Duration.ofSeconds(60));
    assertEquals(1, listener.pushes());
    assertEquals(Duration.ofSeconds(5), scheduler.lastDelay());
    assertTrue(dns.queries() >= 2);
  }

  @Test
  void srvTargetThatIsNoHostNameIsSkippedAndTheOtherTargetsArePushed() throws Exception {
    dns = new FakeDnsResponder();
    dns.mode(FakeDnsResponder.Mode.SRV_BAD_TARGET);
    source = ServerSources.dnsSrv("_http._tcp.web.example")
        .resolver(dns.address())
        .queryTimeout(Duration.ofMillis(300))
        .ttlBounds(Duration.ofSeconds(1), Duration.ofSeconds(300))
        .failureRetry(Duration.ofSeconds(5))
        .scheduler(scheduler)
        .ticker(scheduler.ticker())
        .build();
    source.start(listener);
    scheduler.runDue();
    assertEquals(List.of("good.example:8080"), listener.lastIds());
    assertEquals(Duration.ofSeconds(60), scheduler.lastDelay(), "a skipped record is no failed refresh");
    assertEquals(List.of(), listener.errors);
  }

  @Test
  void defaultSchedulerRefreshesOnItsOwnThread() throws Exception {
    dns = new FakeDnsResponder();
    CountDownLatch pushed = new CountDownLatch(1);
    List<List<Server>> lists = new java.util.concurrent.CopyOnWriteArrayList<>();
    source = ServerSources.dnsAddresses("web.example", 80)
        .addressFamily(DnsSourceBuilder.AddressFamily.IPV4)
        .resolver(dns.address())
        .queryTimeout(Duration.ofMillis(500))
        .build();
    source.start(servers -> {
      lists.add(servers);
      pushed.countDown();
    });
    assertTrue(pushed.await(5, TimeUnit.SECONDS), "the first refresh runs at once");
    assertEquals(2, lists.get(0).size());
    source.close();
  }
}
