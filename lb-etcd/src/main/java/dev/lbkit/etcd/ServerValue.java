package dev.lbkit.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lbkit.api.Server;
import dev.lbkit.api.internal.RegistryEntry;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the value of one key into a {@link Server}: a pure function. The format is documented in
 * {@link EtcdSourceBuilder}.
 *
 * <p><b>Why Jackson.</b> It is already pinned in the parent build (the simulator reads its
 * scenarios with it), it is the JSON library registrants in the JVM world write with, and its
 * tree model ({@link JsonNode}) lets the reader name the exact field that is wrong. jetcd brings
 * no JSON library of its own.
 */
final class ServerValue {

  /** The value of {@code state} for a server that takes new requests; the default. */
  static final String SERVING = "serving";

  /** The value of {@code state} for a server that takes no new requests. */
  static final String DRAINING = "draining";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ServerValue() {}

  static RegistryEntry parse(byte[] value) {
    if (value == null || value.length == 0) {
      return RegistryEntry.invalid("the value is empty");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(value);
    } catch (JsonProcessingException e) {
      return RegistryEntry.invalid("not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return RegistryEntry.invalid("not JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      return RegistryEntry.invalid("not a JSON object");
    }
    if (!root.has("host") && root.has("Addr")) {
      return parseEndpoint(root);
    }
    JsonNode host = root.get("host");
    if (host == null || !host.isTextual()) {
      return RegistryEntry.invalid("host must be a string, was " + host);
    }
    JsonNode port = root.get("port");
    if (port == null || !port.isIntegralNumber() || !port.canConvertToInt()) {
      return RegistryEntry.invalid("port must be an integer, was " + port);
    }
    Server.Builder b = Server.builder(host.textValue(), port.intValue());
    JsonNode weight = root.get("weight");
    if (weight != null && !weight.isNull()) {
      if (!weight.isIntegralNumber() || !weight.canConvertToInt()) {
        return RegistryEntry.invalid("weight must be an integer, was " + weight);
      }
      b.weight(weight.intValue());
    }
    JsonNode zone = root.get("zone");
    if (zone != null && !zone.isNull()) {
      if (!zone.isTextual()) {
        return RegistryEntry.invalid("zone must be a string, was " + zone);
      }
      b.zone(zone.textValue());
    }
    JsonNode metadata = root.get("metadata");
    if (metadata != null && !metadata.isNull()) {
      if (!metadata.isObject()) {
        return RegistryEntry.invalid("metadata must be an object, was " + metadata);
      }
      Map<String, String> entries = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : metadata.properties()) {
        if (!e.getValue().isTextual()) {
          return RegistryEntry.invalid("metadata." + e.getKey() + " must be a string, was " + e.getValue());
        }
        entries.put(e.getKey(), e.getValue().textValue());
      }
      b.metadata(entries);
    }
    boolean draining = false;
    JsonNode state = root.get("state");
    if (state != null && !state.isNull()) {
      if (!state.isTextual() || !(SERVING.equals(state.textValue()) || DRAINING.equals(state.textValue()))) {
        return RegistryEntry.invalid("state must be \"" + SERVING + "\" or \"" + DRAINING + "\", was " + state);
      }
      draining = DRAINING.equals(state.textValue());
    }
    try {
      return RegistryEntry.of(b.build(), draining);
    } catch (IllegalArgumentException e) {
      return RegistryEntry.invalid(e.getMessage());
    }
  }

  /**
   * The value etcd's own {@code endpoints} manager (Go, {@code go.etcd.io/etcd/client/v3/naming})
   * writes for gRPC's etcd resolver: {@code {"Addr":"10.0.0.7:8080","Metadata":...}}. The
   * metadata, when it is an object, becomes the server's, with numbers and booleans as their
   * JSON text; the weight is the default and there is no zone.
   */
  private static RegistryEntry parseEndpoint(JsonNode root) {
    JsonNode addr = root.get("Addr");
    if (!addr.isTextual()) {
      return RegistryEntry.invalid("Addr must be a string, was " + addr);
    }
    String text = addr.textValue();
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || (text.indexOf(':') != colon && !text.startsWith("["))) {
      return RegistryEntry.invalid("Addr must be host:port, was \"" + text + "\"");
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      return RegistryEntry.invalid("Addr must be host:port, was \"" + text + "\"");
    }
    Server.Builder b = Server.builder(text.substring(0, colon), port);
    JsonNode metadata = root.get("Metadata");
    if (metadata != null && metadata.isObject()) {
      for (Map.Entry<String, JsonNode> e : metadata.properties()) {
        JsonNode v = e.getValue();
        if (!v.isNull()) {
          b.metadata(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
        }
      }
    }
    try {
      return RegistryEntry.of(b.build(), false);
    } catch (IllegalArgumentException e) {
      return RegistryEntry.invalid(e.getMessage());
    }
  }
}
