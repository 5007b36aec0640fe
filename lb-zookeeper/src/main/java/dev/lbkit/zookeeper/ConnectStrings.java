package dev.lbkit.zookeeper;

import org.apache.zookeeper.common.PathUtils;

/**
 * Checks a ZooKeeper connect string, {@code host[:port][,host[:port]...][/chroot]}, the format
 * that ZooKeeper's {@code ConnectStringParser} reads. The ZooKeeper client itself accepts
 * nonsense (a port of 99999, an empty host) and then retries it for ever; checking it here turns
 * a typo into an exception at {@code build()}.
 */
final class ConnectStrings {

  private ConnectStrings() {}

  /** Returns null when {@code connectString} is well formed, else why it is not. */
  static String problem(String connectString) {
    if (connectString == null || connectString.isBlank()) {
      return "it is empty";
    }
    if (!connectString.strip().equals(connectString)) {
      return "it has leading or trailing spaces";
    }
    String hosts = connectString;
    int slash = connectString.indexOf('/');
    if (slash >= 0) {
      hosts = connectString.substring(0, slash);
      String chroot = connectString.substring(slash);
      if (!chroot.equals("/")) {
        try {
          PathUtils.validatePath(chroot);
        } catch (IllegalArgumentException e) {
          return "the chroot " + chroot + " is not a ZooKeeper path: " + e.getMessage();
        }
      }
    }
    if (hosts.isEmpty()) {
      return "it names no host";
    }
    for (String entry : hosts.split(",", -1)) {
      String problem = hostPortProblem(entry);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static String hostPortProblem(String entry) {
    if (entry.isEmpty()) {
      return "it has an empty host entry";
    }
    String host = entry;
    String port = null;
    if (entry.startsWith("[")) {
      int close = entry.indexOf(']');
      if (close < 0) {
        return "the entry '" + entry + "' opens an IPv6 bracket it does not close";
      }
      host = entry.substring(1, close);
      String rest = entry.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          return "the entry '" + entry + "' has text after its IPv6 address";
        }
        port = rest.substring(1);
      }
    } else {
      int colon = entry.lastIndexOf(':');
      if (colon >= 0) {
        host = entry.substring(0, colon);
        port = entry.substring(colon + 1);
      }
    }
    if (host.isEmpty() || host.chars().anyMatch(c -> Character.isWhitespace(c) || c == ':' && !entry.startsWith("["))) {
      return "the entry '" + entry + "' has no valid host";
    }
    if (port != null) {
      int p;
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        return "the entry '" + entry + "' has a port that is not a number";
      }
      if (p < 1 || p > 65535) {
        return "the entry '" + entry + "' has port " + p + ", not in [1, 65535]";
      }
    }
    return null;
  }
}
