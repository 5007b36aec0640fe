package dev.lbkit.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/** Parses the harnesses' {@code key=value} arguments against their defaults. */
final class Args {

  private Args() {}

  /**
   * Returns {@code defaults} overridden by {@code args}.
   *
   * @throws IllegalArgumentException for a malformed argument or an unknown key, naming both
   */
  static Map<String, String> parse(String[] args, Map<String, String> defaults) {
    Map<String, String> out = new LinkedHashMap<>(defaults);
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("arguments must be key=value, was '" + arg + "'");
      }
      if (!defaults.containsKey(kv[0])) {
        throw new IllegalArgumentException(
            "argument must be one of " + new TreeSet<>(defaults.keySet()) + ", was '" + kv[0] + "'");
      }
      out.put(kv[0], kv[1]);
    }
    return out;
  }
}
