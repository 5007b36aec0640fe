package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Server;
import dev.lbkit.api.internal.HostSyntax;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server's IP literal is parsed, never resolved; anything else, a dotted name that is not an
 * IPv4 address included, goes to the configured {@link okhttp3.Dns}.
 */
class ServerDnsTest {

  @Test
  void ipLiteralsAreExactlyIPv4AndIPv6Addresses() {
    for (String literal : List.of("127.0.0.1", "0.0.0.0", "255.255.255.255", "10.20.30.40",
        "::", "::1", "1::", "2001:db8::1", "2001:DB8:0:0:8:800:200C:417A", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6::8",
        "::ffff:10.0.0.1", "64:ff9b::192.0.2.33", "1:2:3:4:5:6:1.2.3.4", "fe80::1%eth0", "fe80::1%2")) {
      assertTrue(ServerDns.isIpLiteral(literal), literal);
    }
    for (String other : List.of("", "999.1.1.1", "256.0.0.1", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.4.", ".1.2.3.4",
        "01.2.3.4", "1.2.3.0x4", "1.2.3.-4", "1234", "user-service", "10.0.0.1.nip.io", "a.b.c.d",
        ":", ":::", "1:::2", ":1::2", "1::2:", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7::8",
        "12345::1", "g::1", "::1.2.3", "::1.2.3.4:5", "1.2.3.4::", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:999.1.1.1",
        "[::1]", "fe80::1%", "%eth0", "zz::1%eth0")) {
      assertFalse(ServerDns.isIpLiteral(other), other);
    }
  }

  @Test
  void ipLiteralBytesAreTheAddress() throws UnknownHostException {
    assertArrayEquals(new byte[] {10, 20, 30, (byte) 255}, HostSyntax.ipLiteral("10.20.30.255"));
    for (String v6 : List.of("::", "::1", "1::", "2001:db8::1", "1:2:3:4:5:6:7:8", "1:2::7:8", "::ffff:10.0.0.1",
        "64:ff9b::192.0.2.33", "1:2:3:4:5:6:1.2.3.4", "fe80::abcd:EF01")) {
      assertArrayEquals(InetAddress.getByName(v6).getAddress().length == 16
          ? InetAddress.getByName(v6).getAddress() : mapped(InetAddress.getByName(v6).getAddress()),
          HostSyntax.ipLiteral(v6), v6);
    }
  }

  /** The JDK returns an IPv4 address for {@code ::ffff:a.b.c.d}; the literal's bytes are the mapped form. */
  private static byte[] mapped(byte[] v4) {
    byte[] b = new byte[16];
    b[10] = (byte) 0xff;
    b[11] = (byte) 0xff;
    System.arraycopy(v4, 0, b, 12, 4);
    return b;
  }

  @Test
  void aDottedNameThatIsNotAnAddressGoesToTheConfiguredDns() throws UnknownHostException {
    Backends.FakeDns base = new Backends.FakeDns("999.1.1.1");
    ServerDns dns = new ServerDns("user-service", Server.of("999.1.1.1", 8080), base);
    List<InetAddress> addresses = dns.lookup("user-service");
    assertEquals(List.of("999.1.1.1"), base.lookups);
    assertEquals(1, addresses.size());
    assertArrayEquals(new byte[] {127, 0, 0, 1}, addresses.get(0).getAddress());
  }

  @Test
  void anIpLiteralIsParsedWithoutAnyLookup() throws UnknownHostException {
    Backends.FakeDns base = new Backends.FakeDns();
    List<InetAddress> v4 = new ServerDns("user-service", Server.of("10.1.2.3", 8080), base).lookup("USER-SERVICE");
    assertArrayEquals(new byte[] {10, 1, 2, 3}, v4.get(0).getAddress());
    assertEquals("10.1.2.3", v4.get(0).getHostName(), "named after the literal: no reverse lookup either");
    List<InetAddress> v6 = new ServerDns("user-service", Server.of("::1", 8080), base).lookup("user-service");
    assertEquals(InetAddress.getByName("::1"), v6.get(0));
    assertEquals(List.of(), base.lookups);
  }
}
