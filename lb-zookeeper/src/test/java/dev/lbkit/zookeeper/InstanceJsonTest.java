package dev.lbkit.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lbkit.api.Server;
import dev.lbkit.api.internal.RegistryEntry;
import dev.lbkit.api.internal.RegistryList;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON of an instance znode, as the registrants in the wild write it. */
class InstanceJsonTest {

  private static RegistryEntry parse(String json) {
    return InstanceJson.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsASpringCloudZookeeperRegistration() {
    // As Spring Cloud Zookeeper writes it: Curator's compatible JSON, a ZookeeperInstance payload.
    String json = "{\"name\":\"orders\",\"id\":\"6f1c2a\",\"address\":\"10.0.0.7\",\"port\":8080,\"sslPort\":null,"
        + "\"payload\":{\"@class\":\"org.springframework.cloud.zookeeper.discovery.ZookeeperInstance\","
        + "\"id\":\"orders-1\",\"name\":\"orders\",\"metadata\":{\"zone\":\"us-east-1a\",\"weight\":\"3\","
        + "\"instance_status\":\"UP\"}},\"registrationTimeUTC\":1767225600000,\"serviceType\":\"DYNAMIC\","
        + "\"uriSpec\":{\"parts\":[{\"value\":\"scheme\",\"variable\":true}]}}";
    assertEquals(
        Server.builder("10.0.0.7", 8080).weight(3).zone("us-east-1a")
            .metadata(Map.of("zone", "us-east-1a", "weight", "3", "instance_status", "UP")).build(),
        parse(json).server());
  }

  @Test
  void readsAPlainCuratorRegistrationWithoutPayload() {
    assertEquals(Server.of("backend-1", 9000),
        parse("{\"name\":\"orders\",\"id\":\"x\",\"address\":\"backend-1\",\"port\":9000,\"payload\":null,\"enabled\":true}").server());
  }

  @Test
  void takesTheSslPortWhenThereIsNoPort() {
    assertEquals(Server.of("10.0.0.1", 8443),
        parse("{\"address\":\"10.0.0.1\",\"port\":null,\"sslPort\":8443}").server());
  }

  @Test
  void metadataNumbersAndBooleansBecomeTheirJsonText() {
    Server s = parse("{\"address\":\"10.0.0.1\",\"port\":80,\"payload\":{\"metadata\":"
        + "{\"weight\":7,\"canary\":true,\"tags\":[\"a\",\"b\"],\"gone\":null}}}").server();
    assertEquals(7, s.weight());
    assertEquals(Map.of("weight", "7", "canary", "true", "tags", "[\"a\",\"b\"]"), s.metadata());
  }

  @Test
  void aDisabledInstanceDrains() {
    RegistryEntry p = parse("{\"address\":\"10.0.0.1\",\"port\":80,\"enabled\":false}");
    assertEquals(Server.of("10.0.0.1", 80), p.server());
    assertEquals(true, p.draining());
    assertEquals(false, parse("{\"address\":\"10.0.0.1\",\"port\":80,\"enabled\":true}").draining());
    assertEquals("enabled must be true or false, was \"no\"",
        parse("{\"address\":\"10.0.0.1\",\"port\":80,\"enabled\":\"no\"}").problem());
  }

  @Test
  void namesWhatIsWrongWithABadInstance() {
    List<String[]> cases = List.of(
        new String[] {"", "the znode holds no data"},
        new String[] {"[1]", "not a JSON object"},
        new String[] {"{\"port\":80}", "address must be a string, was null"},
        new String[] {"{\"address\":\"10.0.0.1\"}", "port or sslPort must be set, both were null"},
        new String[] {"{\"address\":\"10.0.0.1\",\"port\":\"80\"}", "port must be an integer, was \"80\""},
        new String[] {"{\"address\":\"10.0.0.1\",\"port\":70000}", "port must be in [1, 65535], was 70000"},
        new String[] {"{\"address\":\"http://x\",\"port\":80}", null},
        new String[] {"{\"address\":\"10.0.0.1\",\"port\":80,\"payload\":{\"metadata\":{\"weight\":\"heavy\"}}}",
            "payload.metadata.weight must be an integer, was 'heavy'"},
        new String[] {"{\"address\":\"10.0.0.1\",\"port\":80,\"payload\":{\"metadata\":{\"weight\":\"0\"}}}",
            "weight must be in [1, 1000000], was 0"},
        new String[] {"{\"address\":\"10.0.0.1\",\"port\":80,\"payload\":{\"metadata\":[1]}}",
            "payload.metadata must be an object, was [1]"});
    for (String[] c : cases) {
      RegistryEntry p = parse(c[0]);
      assertNull(p.server(), c[0]);
      if (c[1] != null) {
        assertEquals(c[1], p.problem(), c[0]);
      } else {
        assertEquals(true, p.problem().startsWith("host "), c[0] + ": " + p.problem());
      }
    }
  }

  @Test
  void aListIsSortedByAddressAndDuplicatesKeepTheSmallestInstanceId() {
    byte[] a = "{\"address\":\"10.0.0.2\",\"port\":80,\"payload\":{\"metadata\":{\"weight\":\"2\"}}}".getBytes(StandardCharsets.UTF_8);
    byte[] b = "{\"address\":\"10.0.0.1\",\"port\":80}".getBytes(StandardCharsets.UTF_8);
    byte[] dup = "{\"address\":\"10.0.0.2\",\"port\":80,\"payload\":{\"metadata\":{\"weight\":\"9\"}}}".getBytes(StandardCharsets.UTF_8);
    byte[] off = "{\"address\":\"10.0.0.3\",\"port\":80,\"enabled\":false}".getBytes(StandardCharsets.UTF_8);
    RegistryList.Update r = new RegistryList(InstanceJson::parse, true).read(Map.of("z-dup", dup, "m", a, "q", b, "off", off, "bad", new byte[0]));
    assertEquals(List.of(Server.of("10.0.0.1", 80), Server.builder("10.0.0.2", 80).weight(2).metadata("weight", "2").build(),
        Server.of("10.0.0.3", 80)), r.servers());
    assertEquals(List.of(Server.of("10.0.0.3", 80)), r.draining());
    assertEquals(Map.of("bad", "the znode holds no data"), r.newProblems());
  }
}
