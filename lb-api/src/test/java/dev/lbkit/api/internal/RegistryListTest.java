package dev.lbkit.api.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Server;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The list logic lb-etcd and lb-zookeeper share, over a toy value format: "host:port", with a
 * trailing " draining", anything else invalid.
 */
class RegistryListTest {

  private static RegistryEntry parse(byte[] value) {
    String text = new String(value, StandardCharsets.UTF_8);
    boolean draining = text.endsWith(" draining");
    String address = draining ? text.substring(0, text.length() - " draining".length()) : text;
    int colon = address.lastIndexOf(':');
    if (colon < 1) {
      return RegistryEntry.invalid("not host:port: '" + text + "'");
    }
    return RegistryEntry.of(Server.of(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))), draining);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theListIsSortedByIdWithTheFirstKeyOfAnAddressKept() {
    RegistryList list = new RegistryList(RegistryListTest::parse, true);
    Map<String, byte[]> values = new HashMap<>();
    values.put("/b", bytes("10.0.0.2:80"));
    values.put("/a", bytes("10.0.0.2:80 draining")); // sorts first: the address drains
    values.put("/c", bytes("10.0.0.1:80"));
    RegistryList.Update u = list.read(values);
    assertTrue(u.push());
    assertEquals(List.of(Server.of("10.0.0.1", 80), Server.of("10.0.0.2", 80)), u.servers());
    assertEquals(List.of(Server.of("10.0.0.2", 80)), u.draining());
    assertEquals(u.servers(), list.lastPushed());
  }

  @Test
  void nothingIsPushedTwiceAndADrainIsAChange() {
    RegistryList list = new RegistryList(RegistryListTest::parse, true);
    assertTrue(list.read(Map.of("/a", bytes("h:1"))).push());
    assertFalse(list.read(Map.of("/other-key", bytes("h:1"))).push(), "same list, same drains");
    RegistryList.Update drained = list.read(Map.of("/a", bytes("h:1 draining")));
    assertTrue(drained.push());
    assertEquals(List.of(Server.of("h", 1)), drained.draining());
  }

  @Test
  void anEmptyListIsHeldBackOnceReportedUnlessAllowed() {
    RegistryList keeping = new RegistryList(RegistryListTest::parse, true);
    keeping.read(Map.of("/a", bytes("h:1")));
    RegistryList.Update first = keeping.read(Map.of());
    assertFalse(first.push());
    assertTrue(first.emptyHeldBack());
    RegistryList.Update again = keeping.read(Map.of("/bad", bytes("nonsense")));
    assertFalse(again.push());
    assertFalse(again.emptyHeldBack(), "reported once");
    assertEquals(List.of(Server.of("h", 1)), keeping.lastPushed());
    assertEquals("keeping the last list of 1 servers", keeping.kept());

    RegistryList allowing = new RegistryList(RegistryListTest::parse, false);
    allowing.read(Map.of("/a", bytes("h:1")));
    RegistryList.Update empty = allowing.read(Map.of());
    assertTrue(empty.push());
    assertEquals(List.of(), empty.servers());
  }

  @Test
  void aProblemIsReportedOncePerContentAndForgottenWhenItsKeyIsFixedOrGone() {
    RegistryList list = new RegistryList(RegistryListTest::parse, true);
    assertEquals(Map.of("/x", "not host:port: 'oops'"), list.read(Map.of("/x", bytes("oops"))).newProblems());
    assertEquals(Map.of(), list.read(Map.of("/x", bytes("oops"))).newProblems(), "the same bad value again");
    assertEquals(Map.of("/x", "not host:port: 'oops2'"), list.read(Map.of("/x", bytes("oops2"))).newProblems());
    list.read(Map.of("/x", bytes("h:1")));
    assertEquals(Map.of("/x", "not host:port: 'oops2'"), list.read(Map.of("/x", bytes("oops2"))).newProblems(),
        "fixed in between, so bad again is new");
  }

  @Test
  void beforeTheFirstPushThereIsNoLastList() {
    RegistryList list = new RegistryList(RegistryListTest::parse, true);
    assertNull(list.lastPushed());
    assertEquals("no list read yet", list.kept());
    RegistryList.Update u = list.read(Map.of());
    assertTrue(u.push(), "a first empty list is pushed: the registry is authoritative");
    assertEquals(List.of(), u.servers());
  }
}
