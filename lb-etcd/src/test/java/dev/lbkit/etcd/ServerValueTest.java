package dev.lbkit.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Server;
import dev.lbkit.api.internal.RegistryEntry;
import dev.lbkit.api.internal.RegistryList;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The documented value format, and what is wrong with values that break it. */
class ServerValueTest {

  private static RegistryEntry parse(String json) {
    return ServerValue.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsEveryField() {
    RegistryEntry p = parse("{\"host\":\"10.0.0.7\",\"port\":8080,\"weight\":3,\"zone\":\"us-east-1a\","
        + "\"metadata\":{\"version\":\"2.4.1\"},\"state\":\"serving\",\"registeredBy\":\"deployer\"}");
    assertEquals(Server.builder("10.0.0.7", 8080).weight(3).zone("us-east-1a").metadata("version", "2.4.1").build(), p.server());
    assertFalse(p.draining());
  }

  @Test
  void readsTheMinimalFormAndTheDrainingState() {
    assertEquals(Server.of("backend-1", 9000), parse("{\"host\":\"backend-1\",\"port\":9000}").server());
    assertTrue(parse("{\"host\":\"backend-1\",\"port\":9000,\"state\":\"draining\"}").draining());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "[1]|not a JSON object",
      "{\"port\":80}|host must be a string, was null",
      "{\"host\":\"h\"}|port must be an integer, was null",
      "{\"host\":\"h\",\"port\":\"80\"}|port must be an integer, was \"80\"",
      "{\"host\":\"h\",\"port\":0}|port must be in [1, 65535], was 0",
      "{\"host\":\"h\",\"port\":80,\"weight\":1.5}|weight must be an integer, was 1.5",
      "{\"host\":\"h\",\"port\":80,\"weight\":0}|weight must be in [1, 1000000], was 0",
      "{\"host\":\"h\",\"port\":80,\"zone\":7}|zone must be a string, was 7",
      "{\"host\":\"h\",\"port\":80,\"zone\":\"\"}|zone must not be empty, was ''",
      "{\"host\":\"h\",\"port\":80,\"metadata\":{\"v\":2}}|metadata.v must be a string, was 2",
      "{\"host\":\"h\",\"port\":80,\"metadata\":[]}|metadata must be an object, was []",
      "{\"host\":\"h\",\"port\":80,\"state\":\"down\"}|state must be \"serving\" or \"draining\", was \"down\"",
  })
  void namesWhatIsWrong(String json, String problem) {
    RegistryEntry p = parse(json);
    assertNull(p.server());
    assertEquals(problem, p.problem());
  }

  @Test
  void readsTheValuesOfEtcdsEndpointsManager() {
    // As Go's go.etcd.io/etcd/client/v3/naming/endpoints writes them for gRPC's etcd resolver.
    assertEquals(Server.of("10.0.0.7", 8080), parse("{\"Addr\":\"10.0.0.7:8080\",\"Metadata\":null}").server());
    assertEquals(Server.builder("::1", 8080).metadata(Map.of("version", "2", "canary", "true")).build(),
        parse("{\"Op\":0,\"Addr\":\"[::1]:8080\",\"Metadata\":{\"version\":2,\"canary\":true}}").server());
    assertEquals(Server.of("backend-1", 9000), parse("{\"Addr\":\"backend-1:9000\",\"Metadata\":\"opaque\"}").server());
    assertEquals("Addr must be host:port, was \"10.0.0.7\"", parse("{\"Addr\":\"10.0.0.7\"}").problem());
    assertEquals("Addr must be host:port, was \"::1:80\"", parse("{\"Addr\":\"::1:80\"}").problem());
    assertEquals("Addr must be a string, was 7", parse("{\"Addr\":7}").problem());
    assertEquals("port must be in [1, 65535], was 0", parse("{\"Addr\":\"h:0\"}").problem());
  }

  @Test
  void anEmptyOrNonJsonValueIsAProblem() {
    assertEquals("the value is empty", ServerValue.parse(new byte[0]).problem());
    assertTrue(parse("{not json").problem().startsWith("not JSON: "), parse("{not json").problem());
  }

  @Test
  void aListIsSortedByAddressWithDuplicatesKeptOnceAndDrainingServersApart() {
    RegistryList.Update r = new RegistryList(ServerValue::parse, true).read(Map.of(
        "/s/z", "{\"host\":\"10.0.0.2\",\"port\":80,\"weight\":9}".getBytes(StandardCharsets.UTF_8),
        "/s/m", "{\"host\":\"10.0.0.2\",\"port\":80,\"weight\":2}".getBytes(StandardCharsets.UTF_8),
        "/s/a", "{\"host\":\"10.0.0.3\",\"port\":80,\"state\":\"draining\"}".getBytes(StandardCharsets.UTF_8),
        "/s/q", "{\"host\":\"10.0.0.1\",\"port\":80}".getBytes(StandardCharsets.UTF_8),
        "/s/bad", new byte[0]));
    assertEquals(List.of(Server.of("10.0.0.1", 80), Server.builder("10.0.0.2", 80).weight(2).build(), Server.of("10.0.0.3", 80)),
        r.servers());
    assertEquals(List.of(Server.of("10.0.0.3", 80)), r.draining());
    assertEquals(Map.of("/s/bad", "the value is empty"), r.newProblems());
  }
}
