package dev.lbkit.zookeeper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lbkit.api.Server;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one instance znode, as Curator's {@code JsonInstanceSerializer} writes it, into a {@link
 * Server}: a pure function. The mapping is documented in {@link ZookeeperSourceBuilder}.
 *
 * <p><b>Why Jackson.</b> Curator's own serializer is Jackson, so the bytes are Jackson's output;
 * it is already pinned in the parent build (for the simulator), and reading a tree ({@link
 * JsonNode}) rather than binding to {@code ServiceInstance<T>} keeps the registrant's payload
 * class (Spring's {@code ZookeeperInstance}, say) off this module's classpath.
 */
final class InstanceJson {

  /** Metadata key of the weight. */
  static final String WEIGHT_KEY = "weight";

  /** Metadata key of the zone: what Spring Cloud's zone preference reads. */
  static final String ZONE_KEY = "zone";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private InstanceJson() {}

  /** The outcome of reading one znode: a server and whether it drains, or a problem. */
  static final class Parsed {
    final Server server;
    final boolean draining;
    final String problem;

    private Parsed(Server server, String problem) {
      this(server, false, problem);
    }

    private Parsed(Server server, boolean draining, String problem) {
      this.server = server;
      this.draining = draining;
      this.problem = problem;
    }

    /** A server, or null when the instance is invalid. */
    Server server() {
      return server;
    }

    /** Whether the instance is disabled ({@code "enabled": false}): it drains. */
    boolean draining() {
      return draining;
    }

    /** Why the instance was left out when it is invalid, else null. */
    String problem() {
      return problem;
    }
  }

  /** Reads the JSON of one instance. */
  static Parsed parse(byte[] data) {
    if (data == null || data.length == 0) {
      return new Parsed(null, "the znode holds no data");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(data);
    } catch (JsonProcessingException e) {
      return new Parsed(null, "not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return new Parsed(null, "not JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      return new Parsed(null, "not a JSON object");
    }
    JsonNode enabled = root.get("enabled");
    if (enabled != null && !enabled.isNull() && !enabled.isBoolean()) {
      return new Parsed(null, "enabled must be true or false, was " + enabled);
    }
    boolean draining = enabled != null && enabled.isBoolean() && !enabled.booleanValue();
    JsonNode address = root.get("address");
    if (address == null || !address.isTextual()) {
      return new Parsed(null, "address must be a string, was " + address);
    }
    JsonNode port = root.get("port");
    if (port == null || port.isNull()) {
      port = root.get("sslPort");
    }
    if (port == null || port.isNull()) {
      return new Parsed(null, "port or sslPort must be set, both were null");
    }
    if (!port.canConvertToInt() || !port.isIntegralNumber()) {
      return new Parsed(null, "port must be an integer, was " + port);
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    JsonNode payload = root.get("payload");
    JsonNode meta = payload == null ? null : payload.get("metadata");
    if (meta != null && !meta.isNull()) {
      if (!meta.isObject()) {
        return new Parsed(null, "payload.metadata must be an object, was " + meta);
      }
      for (Map.Entry<String, JsonNode> e : meta.properties()) {
        JsonNode v = e.getValue();
        if (v.isNull()) {
          continue;
        }
        metadata.put(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
      }
    }
    try {
      Server.Builder b = Server.builder(address.textValue(), port.intValue()).metadata(metadata);
      String weight = metadata.get(WEIGHT_KEY);
      if (weight != null) {
        int w;
        try {
          w = Integer.parseInt(weight.strip());
        } catch (NumberFormatException e) {
          return new Parsed(null, "payload.metadata.weight must be an integer, was '" + weight + "'");
        }
        b.weight(w);
      }
      String zone = metadata.get(ZONE_KEY);
      if (zone != null) {
        b.zone(zone);
      }
      return new Parsed(b.build(), draining, null);
    } catch (IllegalArgumentException e) {
      return new Parsed(null, e.getMessage());
    }
  }
}
