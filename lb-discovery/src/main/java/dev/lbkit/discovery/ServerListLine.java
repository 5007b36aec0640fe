package dev.lbkit.discovery;

import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One line of a server list file, parsed into a server; the format is {@link ServerListFormat}'s.
 *
 * <p>The line's text, its number and the file name are fields, so that every part (tokens,
 * address, attributes) throws an error that carries the exact position without passing it
 * along. Columns are 0-based inside this class and 1-based in the exception.
 *
 * <p>Not thread-safe; one instance parses one line once.
 */
final class ServerListLine {

  private final String text;
  private final int number;
  private final String sourceName;

  ServerListLine(String text, int number, String sourceName) {
    this.text = text;
    this.number = number;
    this.sourceName = sourceName;
  }

  /**
   * The server on this line, or null for a blank or comment line.
   *
   * @throws ServerListFormatException at the first error, with its column
   */
  Server parse() throws ServerListFormatException {
    List<Token> tokens = tokens();
    if (tokens.isEmpty()) {
      return null;
    }
    Token address = tokens.get(0);
    Server.Builder b = address(address);
    Set<String> seenKeys = new HashSet<>();
    for (Token attribute : tokens.subList(1, tokens.size())) {
      attribute(b, attribute, seenKeys);
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      // The host's syntax (IP literal or DNS name) is Server's to judge; the other fields were
      // checked above, so any message here is about the address.
      throw error(address.column(), e.getMessage());
    }
  }

  /** One token of a line: its text and its 0-based column. */
  private record Token(String text, int column) {}

  /** The space-separated tokens before a comment. */
  private List<Token> tokens() {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (c == '#') {
        break;
      }
      int begin = i;
      while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      tokens.add(new Token(text.substring(begin, i), begin));
    }
    return tokens;
  }

  /** The address token split into its host and its port token. */
  private record HostPort(String host, Token port) {}

  /** A builder for the server at the address {@code host:port}. */
  private Server.Builder address(Token address) throws ServerListFormatException {
    String a = address.text();
    if (a.contains("://")) {
      throw error(address.column(), "address must be host:port without a scheme, was '" + a + "'");
    }
    HostPort hp = a.startsWith("[") ? bracketed(address) : plain(address);
    if (hp.host().isEmpty()) {
      throw error(address.column(), "host must not be empty, was '" + a + "'");
    }
    return Server.builder(hp.host(), parseInt(hp.port(), "port", 1, 65535));
  }

  /** {@code [IPv6]:port}. */
  private HostPort bracketed(Token address) throws ServerListFormatException {
    String a = address.text();
    int close = a.indexOf(']');
    if (close < 0) {
      throw error(address.column(), "IPv6 address must end with ']', was '" + a + "'");
    }
    String host = a.substring(1, close);
    if (host.indexOf(':') < 0) {
      throw error(address.column(), "brackets must hold an IPv6 address, was '" + a + "'");
    }
    if (close + 1 >= a.length() || a.charAt(close + 1) != ':') {
      throw error(address.column() + close + 1, "address must be host:port, was '" + a + "'");
    }
    return new HostPort(host, new Token(a.substring(close + 2), address.column() + close + 2));
  }

  /** {@code host:port}, the host a name or an IPv4 literal. */
  private HostPort plain(Token address) throws ServerListFormatException {
    String a = address.text();
    int colon = a.lastIndexOf(':');
    if (colon < 0) {
      throw error(address.column(), "address must be host:port, was '" + a + "'");
    }
    if (a.indexOf(':') != colon) {
      throw error(address.column(), "IPv6 addresses must be in brackets, as [::1]:8080, was '" + a + "'");
    }
    return new HostPort(a.substring(0, colon), new Token(a.substring(colon + 1), address.column() + colon + 1));
  }

  /** Applies one {@code key=value} attribute; each key may appear once. */
  private void attribute(Server.Builder b, Token token, Set<String> seenKeys)
      throws ServerListFormatException {
    int eq = token.text().indexOf('=');
    if (eq <= 0) {
      throw error(token.column(), "attribute must be key=value, was '" + token.text() + "'");
    }
    String key = token.text().substring(0, eq);
    Token value = new Token(token.text().substring(eq + 1), token.column() + eq + 1);
    if (!seenKeys.add(key)) {
      throw error(token.column(), "attribute " + key + " appears twice");
    }
    if (value.text().isEmpty()) {
      throw error(value.column(), key + " must not be empty, was ''");
    }
    switch (key) {
      case "weight":
        b.weight(parseInt(value, "weight", Server.MIN_WEIGHT, Server.MAX_WEIGHT));
        break;
      case "priority":
        b.priority(parseInt(value, "priority", 0, Server.MAX_PRIORITY));
        break;
      case "zone":
        b.zone(value.text());
        break;
      case "region":
        b.region(value.text());
        break;
      default:
        if (key.startsWith("meta.") && key.length() > "meta.".length()) {
          b.metadata(key.substring("meta.".length()), value.text());
        } else {
          throw error(token.column(),
              "unknown attribute '" + key + "'; expected weight, priority, zone, region or meta.NAME");
        }
    }
  }

  private int parseInt(Token token, String field, int min, int max) throws ServerListFormatException {
    long value;
    try {
      if (token.text().isEmpty() || token.text().length() > 11) {
        throw new NumberFormatException();
      }
      value = Long.parseLong(token.text());
    } catch (NumberFormatException e) {
      throw error(token.column(),
          field + " must be an integer in [" + min + ", " + max + "], was '" + token.text() + "'");
    }
    if (value < min || value > max) {
      throw error(token.column(), field + " must be in [" + min + ", " + max + "], was " + value);
    }
    return (int) value;
  }

  private ServerListFormatException error(int column0, String reason) {
    return new ServerListFormatException(sourceName, number, column0 + 1, reason);
  }
}
