package dev.lbkit.api;

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

  /** RFC 1035: a label is at most 63 octets. */
  static final int MAX_LABEL_LENGTH = 63;

  /**
   * RFC 1035's 255 octets on the wire leave 253 characters of text; {@code HttpUrl} counts a
   * final dot among them.
   */
  static final int MAX_NAME_LENGTH = 253;

  private HostNames() {}

  /**
   * Returns {@code host} without IPv6 brackets.
   *
   * @throws IllegalArgumentException naming the field and the value when the host is invalid
   */
  static String check(String host) {
    if (host.startsWith("[") && host.endsWith("]") && host.indexOf(':') >= 0) {
      String inner = host.substring(1, host.length() - 1);
      if (isIpv6(inner)) {
        return inner;
      }
      throw invalid(host);
    }
    if (host.indexOf(':') >= 0) {
      if (isIpv6(host)) {
        return host;
      }
      throw invalid(host);
    }
    checkName(host);
    return host;
  }

  private static void checkName(String host) {
    // "." alone leaves one empty label, which is rejected below.
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    boolean longLabel = false;
    int labelStart = 0;
    for (int i = 0; i <= name.length(); i++) {
      if (i == name.length() || name.charAt(i) == '.') {
        if (i == labelStart) {
          throw invalid(host);
        }
        longLabel |= i - labelStart > MAX_LABEL_LENGTH;
        labelStart = i + 1;
      } else if (name.charAt(i) >= 128) {
        throw new IllegalArgumentException(
            "host must be ASCII (an internationalized name in its xn-- form), was '" + host + "'");
      } else if (!isNameChar(name.charAt(i))) {
        throw invalid(host);
      }
    }
    if (longLabel) {
      throw new IllegalArgumentException(
          "host labels must be at most " + MAX_LABEL_LENGTH + " characters, was '" + host + "'");
    }
    if (host.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "host must be at most " + MAX_NAME_LENGTH + " characters, was '" + host + "'");
    }
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  }

  /** Whether {@code s} is a dotted quad of decimal octets in [0, 255] without leading zeros. */
  static boolean isIpv4(String s) {
    int n = s.length();
    int octets = 0;
    int i = 0;
    while (true) {
      int start = i;
      int value = 0;
      while (i < n && i - start < 3 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        value = value * 10 + (s.charAt(i) - '0');
        i++;
      }
      int length = i - start;
      if (length == 0 || value > 255 || (length > 1 && s.charAt(start) == '0')) {
        return false;
      }
      octets++;
      if (i == n) {
        return octets == 4;
      }
      if (s.charAt(i) != '.' || octets == 4) {
        return false;
      }
      i++;
    }
  }

  /** Whether {@code s} is an IPv6 literal without brackets and without a zone. */
  static boolean isIpv6(String s) {
    int n = s.length();
    int groups = 0;
    boolean compressed = false;
    int i = 0;
    if (s.startsWith("::")) {
      compressed = true;
      i = 2;
      if (n == 2) {
        return true;
      }
    }
    while (true) {
      int start = i;
      while (i < n && i - start < 5 && isHex(s.charAt(i))) {
        i++;
      }
      if (i < n && s.charAt(i) == '.') {
        // A trailing dotted quad stands for the last two groups (RFC 4291 §2.2, form 3).
        if (!isIpv4(s.substring(start))) {
          return false;
        }
        groups += 2;
        break;
      }
      int length = i - start;
      if (length == 0 || length > 4) {
        return false;
      }
      groups++;
      if (i == n) {
        break;
      }
      if (s.charAt(i) != ':') {
        return false;
      }
      i++;
      if (i == n) {
        return false; // one trailing colon
      }
      if (s.charAt(i) == ':') {
        if (compressed) {
          return false; // a second "::"
        }
        compressed = true;
        i++;
        if (i == n) {
          break;
        }
      }
    }
    return compressed ? groups <= 7 : groups == 8;
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static IllegalArgumentException invalid(String host) {
    return new IllegalArgumentException("host must be a host name or an IP literal, was '" + host + "'");
  }
}
