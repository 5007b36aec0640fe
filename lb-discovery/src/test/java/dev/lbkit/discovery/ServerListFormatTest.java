package dev.lbkit.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lbkit.api.Server;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerListFormatTest {

  @Test
  void parsesAddressesAttributesCommentsAndIpv6() throws Exception {
    String text =
        "# user-service\n"
            + "10.0.0.1:8080 weight=3 zone=a region=r1   # primary\n"
            + "\n"
            + "  10.0.0.2:8080 zone=b meta.version=2.4\r\n"
            + "[2001:db8::7]:8443 priority=1\n";
    List<Server> servers = ServerListFormat.parse(text, "users.servers");
    assertEquals(
        List.of(
            Server.builder("10.0.0.1", 8080).weight(3).zone("a").region("r1").build(),
            Server.builder("10.0.0.2", 8080).zone("b").metadata("version", "2.4").build(),
            Server.builder("2001:db8::7", 8443).priority(1).build()),
        servers);
    assertEquals("[2001:db8::7]:8443", servers.get(2).id());
  }

  @Test
  void emptyTextIsAnEmptyList() throws Exception {
    assertEquals(List.of(), ServerListFormat.parse("", "f"));
    assertEquals(List.of(), ServerListFormat.parse("# nothing\n\n", "f"));
  }

  @Test
  void reportsLineAndColumnOfBadWeight() {
    ServerListFormatException e =
        assertThrows(
            ServerListFormatException.class,
            () -> ServerListFormat.parse("10.0.0.1:80\n10.0.0.2:80 weight=0\n", "users.servers"));
    assertEquals("users.servers:2:20: weight must be in [1, 1000000], was 0", e.getMessage());
    assertEquals(2, e.line());
    assertEquals(20, e.column());
  }

  @Test
  void reportsEachKindOfErrorWithItsPosition() {
    assertError("f:1:1: address must be host:port, was 'nohost'", "nohost");
    assertError("f:1:10: port must be in [1, 65535], was 70000", "10.0.0.1:70000");
    assertError("f:1:10: port must be an integer in [1, 65535], was 'http'", "10.0.0.1:http");
    assertError("f:1:1: IPv6 addresses must be in brackets, as [::1]:8080, was '::1:80'", "::1:80");
    assertError("f:1:1: IPv6 address must end with ']', was '[::1:80'", "[::1:80");
    assertError("f:1:13: unknown attribute 'wieght'; expected weight, priority, zone, region or meta.NAME",
        "10.0.0.1:80 wieght=2");
    assertError("f:1:13: attribute must be key=value, was 'heavy'", "10.0.0.1:80 heavy");
    assertError("f:1:18: zone must not be empty, was ''", "10.0.0.1:80 zone=");
    assertError("f:1:22: priority must be in [0, 127], was 128", "10.0.0.1:80 priority=128");
    assertError("f:1:20: attribute zone appears twice", "10.0.0.1:80 zone=a zone=b");
    assertError("f:3:3: address 10.0.0.1:80 appears twice (first on line 1)",
        "10.0.0.1:80\n10.0.0.2:80\n  10.0.0.1:80 weight=2");
  }

  @Test
  void reportsHostsThatAreNeitherNamesNorIpLiteralsAtTheirAddress() {
    assertError("f:1:1: host must be a host name or an IP literal, was 'bad!host'", "bad!host:80");
    assertError("f:2:3: host must be a host name or an IP literal, was 'a..b'", "10.0.0.1:80\n  a..b:80 weight=2");
    assertError("f:1:1: host must be a host name or an IP literal, was '1::2::3'", "[1::2::3]:80");
    String label = "a".repeat(300);
    assertError("f:1:1: host labels must be at most 63 characters, was '" + label + "'", label + ":80");
    assertError("f:1:1: brackets must hold an IPv6 address, was '[backend]:80'", "[backend]:80");
    assertError("f:1:1: address must be host:port without a scheme, was 'http://x:80'", "http://x:80");
  }

  @Test
  void reportsTheRemainingAddressAndAttributeErrorsAtTheirPosition() {
    assertError("f:1:1: host must not be empty, was ':80'", ":80");
    assertError("f:1:6: address must be host:port, was '[::1]80'", "[::1]80");
    assertError("f:1:7: port must be an integer in [1, 65535], was 'x'", "[::1]:x");
    assertError("f:1:13: attribute must be key=value, was '=x'", "10.0.0.1:80 =x");
    assertError("f:1:13: unknown attribute 'meta.'; expected weight, priority, zone, region or meta.NAME",
        "10.0.0.1:80 meta.=x");
    assertError("f:1:20: weight must be in [1, 1000000], was 99999999999", "10.0.0.1:80 weight=99999999999");
    assertError("f:1:20: weight must be an integer in [1, 1000000], was '999999999999'",
        "10.0.0.1:80 weight=999999999999");
  }

  @Test
  void acceptsSrvStyleNamesWithUnderscores() throws Exception {
    assertEquals(List.of(Server.of("_http._tcp.users.example", 8080)),
        ServerListFormat.parse("_http._tcp.users.example:8080", "f"));
  }

  private static void assertError(String expected, String text) {
    ServerListFormatException e =
        assertThrows(ServerListFormatException.class, () -> ServerListFormat.parse(text, "f"));
    assertEquals(expected, e.getMessage());
  }
}
