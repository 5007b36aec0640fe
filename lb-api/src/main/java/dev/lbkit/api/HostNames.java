package dev.lbkit.api;

import dev.lbkit.api.internal.HostSyntax;

/**
 * The syntax of a {@link Server}'s host: an IPv4 literal, an IPv6 literal, or a DNS name.
 *
 * <p><b>What is accepted.</b> A subset of what OkHttp's {@code HttpUrl} accepts as a host, so
 * that every server can be put in a URL:
 * <ul>
 *   <li>IPv4: a dotted quad of decimal octets without leading zeros ({@code 010.0.0.1} is
 *       rejected because resolvers disagree on whether it is octal).
 *   <li>IPv6: RFC 4291 text, with at most one {@code ::} and an optional trailing dotted quad;
 *       without a zone ({@code %eth0}), which URLs cannot carry. One pair of brackets is
 *       removed, because {@link Server#id()} adds them: {@code [::1]} and {@code ::1} are the
 *       same server.
 *   <li>DNS names: dot-separated labels of 1 to 63 ASCII letters, digits, {@code -} and
 *       {@code _} (SRV targets such as {@code _http._tcp.example} use underscores), at most 253
 *       characters in all, an optional final dot included, as {@code HttpUrl} counts. Digits
 *       and dots that make no IPv4 literal ({@code 999.1.1.1}, {@code 1.2.3}) are a name, as
 *       {@code HttpUrl} and lb-okhttp's {@code ServerDns} take them: they go to the resolver.
 * </ul>
 * Internationalized names must be given in their ASCII ({@code xn--}) form. The host is
 * otherwise kept as given: neither case nor IPv6 text is canonicalized, so {@code ::1} and
 * {@code 0:0:0:0:0:0:0:1} are different ids.
 */
final class HostNames {

  private HostNames() {}

  /**
   * Returns {@code host} without IPv6 brackets.
   *
   * @throws IllegalArgumentException naming the field and the value when the host is invalid
   */
  static String check(String host) {
    if (host.startsWith("[") && host.endsWith("]") && host.indexOf(':') >= 0) {
      String inner = host.substring(1, host.length() - 1);
      if (HostSyntax.ipLiteral(inner) != null) {
        return inner;
      }
      throw invalid(host);
    }
    if (host.indexOf(':') >= 0) {
      if (HostSyntax.ipLiteral(host) != null) {
        return host;
      }
      throw invalid(host);
    }
    if (!HostSyntax.isDnsName(host)) {
      throw whyNotAName(host);
    }
    return host;
  }

  /** The most specific reason {@code host}, no name by {@link HostSyntax#isDnsName}, is not one. */
  private static IllegalArgumentException whyNotAName(String host) {
    if (!host.chars().allMatch(c -> c < 128)) {
      return new IllegalArgumentException(
          "host must be ASCII (an internationalized name in its xn-- form), was '" + host + "'");
    }
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    boolean wellFormed = !name.isEmpty() && !name.startsWith(".") && !name.contains("..")
        && name.chars().allMatch(c -> c == '.' || isNameChar((char) c));
    if (wellFormed) {
      for (String label : name.split("\\.")) {
        if (label.length() > HostSyntax.MAX_LABEL_LENGTH) {
          return new IllegalArgumentException("host labels must be at most " + HostSyntax.MAX_LABEL_LENGTH
              + " characters, was '" + host + "'");
        }
      }
      if (host.length() > HostSyntax.MAX_NAME_LENGTH) {
        return new IllegalArgumentException(
            "host must be at most " + HostSyntax.MAX_NAME_LENGTH + " characters, was '" + host + "'");
      }
    }
    return invalid(host);
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  }

  private static IllegalArgumentException invalid(String host) {
    return new IllegalArgumentException("host must be a host name or an IP literal, was '" + host + "'");
  }
}
