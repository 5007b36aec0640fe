package dev.lbkit.discovery;

import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The text format of server list files: one server per line, an address followed by optional
 * {@code key=value} attributes.
 *
 * <pre>
 * # user-service, zone a first
 * 10.0.0.1:8080 weight=3 zone=us-east-1a region=us-east-1
 * 10.0.0.2:8080 zone=us-east-1b region=us-east-1 meta.version=2.4
 * [2001:db8::7]:8080 priority=1     # IPv6 literals in brackets
 * users-backup.internal:8443 priority=1
 * </pre>
 *
 * <ul>
 *   <li>An address is {@code host:port}, without a scheme; IPv6 literals go in brackets. The
 *       host is an IP literal or a DNS name, as {@link Server.Builder#build()} accepts.
 *   <li>Attributes: {@code weight} (1..1000000, default 1), {@code priority} (0..127, 0 is the
 *       highest tier, default 0), {@code zone}, {@code region}, and {@code meta.NAME} for
 *       free-form metadata. Values contain no spaces.
 *   <li>{@code #} starts a comment, at the start of a line or after a space. Blank lines are
 *       ignored. An empty file is an empty list.
 *   <li>An address may appear once.
 * </ul>
 *
 * <p>Why not JSON or YAML: the format needs no dependency, diffs line by line, and every error
 * has an exact line and column, which the file source logs when it rejects an edit.
 *
 * <p>Thread-safe: the class has no state.
 */
public final class ServerListFormat {

  private ServerListFormat() {}

  /**
   * Parses a server list.
   *
   * @param text the whole file
   * @param sourceName the file name, used in error messages
   * @return the servers in file order
   * @throws ServerListFormatException at the first error, with its line and column
   */
  public static List<Server> parse(CharSequence text, String sourceName)
      throws ServerListFormatException {
    List<Server> servers = new ArrayList<>();
    Map<String, Integer> firstLine = new HashMap<>();
    String all = text.toString();
    int lineNo = 0;
    int start = 0;
    while (start <= all.length()) {
      int end = all.indexOf('\n', start);
      if (end < 0) {
        end = all.length();
      }
      lineNo++;
      String line = all.substring(start, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      Server s = parseLine(line, lineNo, sourceName);
      if (s != null) {
        Integer first = firstLine.putIfAbsent(s.id(), lineNo);
        if (first != null) {
          throw new ServerListFormatException(
              sourceName,
              lineNo,
              firstNonBlank(line) + 1,
              "address " + s.id() + " appears twice (first on line " + first + ")");
        }
        servers.add(s);
      }
      start = end + 1;
    }
    return List.copyOf(servers);
  }

  private static int firstNonBlank(String line) {
    int i = 0;
    while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
      i++;
    }
    return i;
  }

  /** One token of a line: its text and its 0-based column. */
  private static final class Token {
    final String text;
    final int column;

    Token(String text, int column) {
      this.text = text;
      this.column = column;
    }
  }

  private static Server parseLine(String line, int lineNo, String sourceName)
      throws ServerListFormatException {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (c == '#') {
        break;
      }
      int begin = i;
      while (i < line.length() && !Character.isWhitespace(line.charAt(i))) {
        i++;
      }
      tokens.add(new Token(line.substring(begin, i), begin));
    }
    if (tokens.isEmpty()) {
      return null;
    }
    Token address = tokens.get(0);
    String host;
    String portText;
    int portColumn;
    String a = address.text;
    if (a.contains("://")) {
      throw error(sourceName, lineNo, address.column, "address must be host:port without a scheme, was '" + a + "'");
    }
    if (a.startsWith("[")) {
      int close = a.indexOf(']');
      if (close < 0) {
        throw error(sourceName, lineNo, address.column, "IPv6 address must end with ']', was '" + a + "'");
      }
      host = a.substring(1, close);
      if (host.indexOf(':') < 0) {
        throw error(sourceName, lineNo, address.column, "brackets must hold an IPv6 address, was '" + a + "'");
      }
      if (close + 1 >= a.length() || a.charAt(close + 1) != ':') {
        throw error(sourceName, lineNo, address.column + close + 1,
            "address must be host:port, was '" + a + "'");
      }
      portText = a.substring(close + 2);
      portColumn = address.column + close + 2;
    } else {
      int colon = a.lastIndexOf(':');
      if (colon < 0) {
        throw error(sourceName, lineNo, address.column, "address must be host:port, was '" + a + "'");
      }
      if (a.indexOf(':') != colon) {
        throw error(sourceName, lineNo, address.column,
            "IPv6 addresses must be in brackets, as [::1]:8080, was '" + a + "'");
      }
      host = a.substring(0, colon);
      portText = a.substring(colon + 1);
      portColumn = address.column + colon + 1;
    }
    if (host.isEmpty()) {
      throw error(sourceName, lineNo, address.column, "host must not be empty, was '" + a + "'");
    }
    int port = parseInt(portText, "port", 1, 65535, sourceName, lineNo, portColumn);
    Server.Builder b = Server.builder(host, port);
    Map<String, Integer> seenKeys = new HashMap<>();
    for (int t = 1; t < tokens.size(); t++) {
      Token token = tokens.get(t);
      int eq = token.text.indexOf('=');
      if (eq <= 0) {
        throw error(sourceName, lineNo, token.column,
            "attribute must be key=value, was '" + token.text + "'");
      }
      String key = token.text.substring(0, eq);
      String value = token.text.substring(eq + 1);
      int valueColumn = token.column + eq + 1;
      if (seenKeys.putIfAbsent(key, token.column) != null) {
        throw error(sourceName, lineNo, token.column, "attribute " + key + " appears twice");
      }
      if (value.isEmpty()) {
        throw error(sourceName, lineNo, valueColumn, key + " must not be empty, was ''");
      }
      switch (key) {
        case "weight":
          b.weight(parseInt(value, "weight", Server.MIN_WEIGHT, Server.MAX_WEIGHT, sourceName, lineNo, valueColumn));
          break;
        case "priority":
          b.priority(parseInt(value, "priority", 0, Server.MAX_PRIORITY, sourceName, lineNo, valueColumn));
          break;
        case "zone":
          b.zone(value);
          break;
        case "region":
          b.region(value);
          break;
        default:
          if (key.startsWith("meta.") && key.length() > "meta.".length()) {
            b.metadata(key.substring("meta.".length()), value);
          } else {
            throw error(sourceName, lineNo, token.column,
                "unknown attribute '" + key + "'; expected weight, priority, zone, region or meta.NAME");
          }
      }
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      // The host's syntax (IP literal or DNS name) is Server's to judge; the other fields were
      // checked above, so any message here is about the address.
      throw error(sourceName, lineNo, address.column, e.getMessage());
    }
  }

  private static int parseInt(
      String text, String field, int min, int max, String sourceName, int lineNo, int column)
      throws ServerListFormatException {
    long value;
    try {
      if (text.isEmpty() || text.length() > 11) {
        throw new NumberFormatException();
      }
      value = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw error(sourceName, lineNo, column, field + " must be an integer in [" + min + ", " + max + "], was '" + text + "'");
    }
    if (value < min || value > max) {
      throw error(sourceName, lineNo, column, field + " must be in [" + min + ", " + max + "], was " + value);
    }
    return (int) value;
  }

  private static ServerListFormatException error(String sourceName, int line, int column0, String reason) {
    return new ServerListFormatException(sourceName, line, column0 + 1, reason);
  }
}
