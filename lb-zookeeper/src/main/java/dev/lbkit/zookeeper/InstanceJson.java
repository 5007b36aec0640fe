package dev.lbkit.zookeeper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lbkit.api.Server;
import dev.lbkit.api.internal.RegistryEntry;
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

  /** Reads the JSON of one instance. */
  static RegistryEntry parse(byte[] data) {
    if (data == null || data.length == 0) {
      return RegistryEntry.invalid("the znode holds no data");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(data);
    } catch (JsonProcessingException e) {
      return RegistryEntry.invalid("not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return RegistryEntry.invalid("not JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      return RegistryEntry.invalid("not a JSON object");
    }
    JsonNode enabled = root.get("enabled");
    if (enabled != null && !enabled.isNull() && !enabled.isBoolean()) {
      return RegistryEntry.invalid("enabled must be true or false, was " + enabled);
    }
    boolean draining = enabled != null && enabled.isBoolean() && !enabled.booleanValue();
    JsonNode address = root.get("address");
    if (address == null || !address.isTextual()) {
      return RegistryEntry.invalid("address must be a string, was " + address);
    }
    JsonNode port = root.get("port");
    if (port == null || port.isNull()) {
      port = root.get("sslPort");
    }
    if (port == null || port.isNull()) {
      return RegistryEntry.invalid("port or sslPort must be set, both were null");
    }
    if (!port.canConvertToInt() || !port.isIntegralNumber()) {
      return RegistryEntry.invalid("port must be an integer, was " + port);
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    JsonNode payload = root.get("payload");
    JsonNode meta = payload == null ? null : payload.get("metadata");
    if (meta != null && !meta.isNull()) {
      if (!meta.isObject()) {
        return RegistryEntry.invalid("payload.metadata must be an object, was " + meta);
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
          return RegistryEntry.invalid("payload.metadata.weight must be an integer, was '" + weight + "'");
        }
        b.weight(w);
      }
      String zone = metadata.get(ZONE_KEY);
      if (zone != null) {
        b.zone(zone);
      }
      return RegistryEntry.of(b.build(), draining);
    } catch (IllegalArgumentException e) {
      return RegistryEntry.invalid(e.getMessage());
    }
  }
}
