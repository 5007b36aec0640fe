package dev.lbkit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
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
