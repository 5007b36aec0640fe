package dev.lbkit.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class DnsSourceBuilderTest {

  private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 53);

  @Test
  void rejectsNamesThatAreNotHostNames() {
    assertRejected("name must be a valid host name, was 'bad name.example' (character ' ' at index 3 is not allowed)",
        () -> ServerSources.dnsAddresses("bad name.example", 80).resolver(LOCAL).build());
    assertRejected("name must be a valid host name, was 'a..b' (empty label at index 2)",
        () -> ServerSources.dnsAddresses("a..b", 80).resolver(LOCAL).build());
    assertRejected("name must be a valid host name, was '-web.example' (label at index 0 starts or ends with '-')",
        () -> ServerSources.dnsAddresses("-web.example", 80).resolver(LOCAL).build());
    assertRejected("name must be a valid host name, was '' (it is empty)",
        () -> ServerSources.dnsSrv("").resolver(LOCAL).build());
    assertRejected("name must be a valid host name, was null",
        () -> ServerSources.dnsSrv(null).resolver(LOCAL).build());
    String longLabel = "a".repeat(64);
    assertRejected("name must be a valid host name, was '" + longLabel + ".example' (label at index 0 is longer than 63 characters)",
        () -> ServerSources.dnsSrv(longLabel + ".example").resolver(LOCAL).build());
  }

  @Test
  void underscoresAreValidOnlyInSrvNames() {
    ServerSources.dnsSrv("_http._tcp.users.example.").resolver(LOCAL).build().close();
    assertRejected(
        "name must be a valid host name, was '_http._tcp.users' (character '_' at index 0 is not allowed outside SRV names)",
        () -> ServerSources.dnsAddresses("_http._tcp.users", 80).resolver(LOCAL).build());
  }

  @Test
  void rejectsTtlBoundsInTheWrongOrder() {
    assertRejected("minTtl must not exceed maxTtl, was minTtl PT1M > maxTtl PT10S",
        () -> ServerSources.dnsSrv("users.example").resolver(LOCAL)
            .ttlBounds(Duration.ofMinutes(1), Duration.ofSeconds(10)).build());
    assertRejected("minTtl must be positive, was PT0S",
        () -> ServerSources.dnsSrv("users.example").resolver(LOCAL)
            .ttlBounds(Duration.ZERO, Duration.ofSeconds(10)).build());
  }

  @Test
  void rejectsOtherBadSettings() {
    assertRejected("port must be in [1, 65535], was 0",
        () -> ServerSources.dnsAddresses("web.example", 0).resolver(LOCAL).build());
    assertRejected("weight must be in [1, 1000000], was -3",
        () -> ServerSources.dnsAddresses("web.example", 80).resolver(LOCAL).weight(-3).build());
    assertRejected("priority must be in [0, 127], was 128",
        () -> ServerSources.dnsAddresses("web.example", 80).resolver(LOCAL).priority(128).build());
    assertRejected("queryTimeout must be positive, was PT-1S",
        () -> ServerSources.dnsAddresses("web.example", 80).resolver(LOCAL).queryTimeout(Duration.ofSeconds(-1)).build());
    assertRejected("failureRetry must be positive, was PT0S",
        () -> ServerSources.dnsAddresses("web.example", 80).resolver(LOCAL).failureRetry(Duration.ZERO).build());
    assertRejected("resolveTargets applies to SRV sources only, was set for addresses of web.example",
        () -> ServerSources.dnsAddresses("web.example", 80).resolver(LOCAL).resolveTargets(true).build());
    assertRejected("zone must not be empty, was ' '",
        () -> ServerSources.dnsAddresses("web.example", 80).resolver(LOCAL).zone(" ").build());
  }

  private static void assertRejected(String message, Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertEquals(message, e.getMessage());
  }
}
