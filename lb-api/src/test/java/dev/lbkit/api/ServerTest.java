package dev.lbkit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ServerTest {

  @Test
  void defaultsAreWeightOnePriorityZeroNoZone() {
    Server s = Server.of("10.0.0.1", 8080);
    assertEquals(1, s.weight());
    assertEquals(0, s.priority());
    assertEquals(Optional.empty(), s.zone());
    assertEquals(Optional.empty(), s.region());
    assertEquals(Map.of(), s.metadata());
    assertEquals("10.0.0.1:8080", s.id());
  }

  @Test
  void ipv6LiteralIdIsBracketed() {
    assertEquals("[::1]:80", Server.of("::1", 80).id());
  }

  @Test
  void rejectsEmptyHost() {
    assertMessage("host must not be empty, was ''", () -> Server.of("", 80));
    assertMessage("host must not be empty, was ' '", () -> Server.of(" ", 80));
    assertMessage("host must not be empty, was null", () -> Server.of(null, 80));
  }

  @Test
  void rejectsHostsThatAreNeitherHostNamesNorIpLiterals() {
    assertMessage("host must be a host name or an IP literal, was 'http://x'", () -> Server.of("http://x", 80));
    assertMessage("host must be a host name or an IP literal, was 'a b'", () -> Server.of("a b", 80));
    String label300 = "a".repeat(300);
    assertMessage("host labels must be at most 63 characters, was '" + label300 + "'", () -> Server.of(label300, 80));
    String label64 = "b".repeat(64) + ".example";
    assertMessage("host labels must be at most 63 characters, was '" + label64 + "'", () -> Server.of(label64, 80));
    String long254 = ("c".repeat(62) + ".").repeat(4) + "dd";
    assertEquals(254, long254.length());
    assertMessage("host must be at most 253 characters, was '" + long254 + "'", () -> Server.of(long254, 80));
    String long253Dot = ("c".repeat(62) + ".").repeat(4) + "d.";
    assertMessage("host must be at most 253 characters, was '" + long253Dot + "'", () -> Server.of(long253Dot, 80));
    for (String bad : new String[] {
        "a..b", ".a", "a!b", "a/b", "a:b", "user@host", "[host]", "[::1", "::1]", " a", "a\tb",
        "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "fe80::1%eth0", ":1", "1:", "::ffff:999.1.1.1", ".", ".."}) {
      assertMessage("host must be a host name or an IP literal, was '" + bad + "'", () -> Server.of(bad, 80));
    }
    assertMessage("host must be ASCII (an internationalized name in its xn-- form), was 'b\u00fccher.de'",
        () -> Server.of("b\u00fccher.de", 80));
  }

  @Test
  void acceptsHostNamesAndIpLiterals() {
    String label63 = "e".repeat(63);
    String long253 = ("c".repeat(62) + ".").repeat(4) + "d";
    for (String good : new String[] {
        "a", "backend-1", "10.0.0.1", "0.0.0.0", "255.255.255.255", "users.svc.cluster.local.",
        "_http._tcp.example.com", "Mixed-Case.Example", "a.123", label63 + ".example", long253,
        // Digits and dots that make no IPv4 literal are names, as HttpUrl takes them.
        "999.1.1.1", "1.2.3", "123", "010.0.0.1", "1.2.3.4.5", "1.2.3.4.",
        "::", "::1", "2001:db8::7", "fd00:0:0:0:0:0:0:1", "1:2:3:4:5:6:7:8", "1::", "::ffff:10.0.0.1",
        "1:2:3:4:5:6:10.0.0.1", "FE80::A"}) {
      assertEquals(good, Server.of(good, 80).host(), good);
    }
  }

  @Test
  void bracketedIpv6LiteralIsKeptWithoutBracketsSoTheIdIsBracketedOnce() {
    Server bracketed = Server.of("[2001:db8::7]", 443);
    assertEquals("2001:db8::7", bracketed.host());
    assertEquals("[2001:db8::7]:443", bracketed.id());
    assertEquals(Server.of("2001:db8::7", 443), bracketed);
    assertEquals(bracketed, bracketed.toBuilder().build());
  }

  @Property(tries = 300)
  void namesOfValidLabelsAreAccepted(
      @ForAll("labels") List<String> labels, @ForAll boolean trailingDot) {
    String name = String.join(".", labels);
    String host = trailingDot ? name + "." : name;
    Assume.that(host.length() <= 253);
    assertEquals(host + ":80", Server.of(host, 80).id());
  }

  @Provide
  Arbitrary<List<String>> labels() {
    Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
        .withCharRange('0', '9').withChars('-', '_').ofMinLength(1).ofMaxLength(63);
    return label.list().ofMinSize(1).ofMaxSize(6);
  }

  @Property(tries = 300)
  void anyCharacterOutsideLettersDigitsHyphenUnderscoreAndDotIsRejected(
      @ForAll @CharRange(from = '!', to = '~') char c) {
    Assume.that(!Character.isLetterOrDigit(c) && c != '-' && c != '_' && c != '.' && c != ':');
    String host = "web" + c + "1";
    assertMessage("host must be a host name or an IP literal, was '" + host + "'", () -> Server.of(host, 80));
  }

  @Test
  void rejectsPortOutsideRange() {
    assertMessage("port must be in [1, 65535], was 0", () -> Server.of("a", 0));
    assertMessage("port must be in [1, 65535], was 65536", () -> Server.of("a", 65536));
    assertMessage("port must be in [1, 65535], was -1", () -> Server.of("a", -1));
  }

  @Test
  void rejectsWeightOutsideRange() {
    assertMessage("weight must be in [1, 1000000], was 0", () -> Server.builder("a", 1).weight(0).build());
    assertMessage("weight must be in [1, 1000000], was -3", () -> Server.builder("a", 1).weight(-3).build());
    assertMessage(
        "weight must be in [1, 1000000], was 1000001",
        () -> Server.builder("a", 1).weight(1_000_001).build());
  }

  @Test
  void rejectsPriorityOutsideRange() {
    assertMessage("priority must be in [0, 127], was -1", () -> Server.builder("a", 1).priority(-1).build());
    assertMessage("priority must be in [0, 127], was 128", () -> Server.builder("a", 1).priority(128).build());
  }

  @Test
  void rejectsNullOrEmptyMetadataAndZones() {
    assertMessage("metadata must not be null, was null", () -> Server.builder("a", 1).metadata(null).build());
    assertMessage("metadata entries must not be null, was k=null", () -> Server.builder("a", 1).metadata("k", null));
    Map<String, String> withNull = new HashMap<>();
    withNull.put(null, "v");
    assertMessage("metadata entries must not be null, was null=v", () -> Server.builder("a", 1).metadata(withNull));
    assertMessage("zone must not be empty, was ''", () -> Server.builder("a", 1).zone("").build());
    assertMessage("region must not be empty, was ' '", () -> Server.builder("a", 1).region(" ").build());
  }

  @Test
  void equalsComparesEveryFieldButIdIsTheAddress() {
    Server a = Server.builder("h", 1).weight(2).zone("z").metadata("k", "v").build();
    Server same = Server.builder("h", 1).weight(2).zone("z").metadata("k", "v").build();
    Server heavier = a.withWeight(3);
    assertEquals(a, same);
    assertEquals(a.hashCode(), same.hashCode());
    assertNotEquals(a, heavier);
    assertEquals(a.id(), heavier.id());
    assertNotEquals(a, Server.builder("h", 1).weight(2).zone("z").build());
  }

  @Test
  void toStringIsReadable() {
    Server s = Server.builder("10.0.0.1", 8080).weight(3).zone("us-east-1a").priority(1).build();
    assertEquals("10.0.0.1:8080 (weight 3, priority 1, zone us-east-1a)", s.toString());
  }

  @Test
  void metadataIsImmutable() {
    Server s = Server.builder("a", 1).metadata("k", "v").build();
    assertThrows(UnsupportedOperationException.class, () -> s.metadata().put("x", "y"));
  }

  @Property(tries = 200)
  void validWeightsAndPortsRoundTrip(
      @ForAll @IntRange(min = 1, max = 65535) int port, @ForAll @IntRange(min = 1, max = 1_000_000) int weight) {
    Server s = Server.builder("host", port).weight(weight).build();
    assertEquals(s, s.toBuilder().build());
    assertTrue(s.toString().startsWith("host:" + port + " (weight " + weight));
  }

  static void assertMessage(String expected, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertEquals(expected, e.getMessage());
  }
}
