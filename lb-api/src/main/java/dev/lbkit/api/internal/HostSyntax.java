package dev.lbkit.api.internal;

import java.util.Arrays;

/**
 * The syntax of hosts: IPv4 and IPv6 literals, parsed into their bytes, and DNS names. Shared by
 * {@link dev.lbkit.api.Server}, which accepts only such hosts, lb-okhttp's {@code ServerDns},
 * which must parse an IP literal and never hand it to a resolver, its {@code LbConfig}, whose
 * cluster names must be hosts that a URL can name, and lb-health's TCP check. Pure functions,
 * safe from any thread; none of them resolves anything.
 *
 * <p><b>Internal.</b> Not a supported API; it may change in any release.
 *
 * <p>What is accepted, with examples:
 * <ul>
 *   <li>IPv4: exactly four decimal octets in [0, 255] without leading zeros: {@code 10.0.0.1}.
 *       Not {@code 999.1.1.1}, {@code 1.2.3}, nor {@code 010.0.0.1}, which {@code inet_aton}
 *       reads as octal (the JDK refuses it as ambiguous).
 *   <li>IPv6 (RFC 4291 §2.2), without brackets or zone: eight groups of one to four hex digits,
 *       at most one {@code ::} standing for one or more zero groups, and optionally a dotted
 *       IPv4 address in place of the last two groups: {@code ::1}, {@code 2001:db8::8:800:200c:417a},
 *       {@code ::ffff:10.0.0.1}.
 *   <li>DNS names: dot-separated labels of letters, digits, {@code -} and {@code _} (underscores
 *       appear in service names such as {@code _http._tcp}), each 1 to {@value #MAX_LABEL_LENGTH}
 *       characters, at most {@value #MAX_NAME_LENGTH} in all, an optional trailing dot included.
 *       These are the limits OkHttp's {@code HttpUrl} applies to a host.
 * </ul>
 */
public final class HostSyntax {
  /** Longest label of a DNS name, 63: RFC 1035 §2.3.4. */
  public static final int MAX_LABEL_LENGTH = 63;

  /** Longest DNS name, 253 characters: RFC 1035's 255 octets on the wire, less the length bytes. */
  public static final int MAX_NAME_LENGTH = 253;

  private HostSyntax() {}

  /** The 4 or 16 bytes of an IPv4 or IPv6 literal, or null when {@code host} is not one. */
  public static byte[] ipLiteral(String host) {
    return host.indexOf(':') >= 0 ? ipv6(host) : ipv4(host, 0, host.length());
  }

  /** Whether {@code host} is a DNS name as described in the class comment. */
  public static boolean isDnsName(String host) {
    int n = host.length();
    if (n == 0 || n > MAX_NAME_LENGTH) {
      return false;
    }
    // A trailing dot (the root) ends the last label; it may not stand alone or follow an empty label.
    int end = host.charAt(n - 1) == '.' ? n - 1 : n;
    int labelStart = 0;
    for (int i = 0; i <= end; i++) {
      if (i == end || host.charAt(i) == '.') {
        int length = i - labelStart;
        if (length == 0 || length > MAX_LABEL_LENGTH) {
          return false;
        }
        labelStart = i + 1;
        continue;
      }
      char c = host.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The four bytes of the dotted-quad IPv4 address in {@code s[from, to)}, or null. */
  private static byte[] ipv4(String s, int from, int to) {
    byte[] bytes = new byte[4];
    int octets = 0;
    int i = from;
    while (true) {
      int start = i;
      int value = 0;
      while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        value = value * 10 + (s.charAt(i) - '0');
        i++;
        if (i - start > 3) {
          return null;
        }
      }
      int digits = i - start;
      if (digits == 0 || value > 255 || (digits > 1 && s.charAt(start) == '0') || octets == 4) {
        return null;
      }
      bytes[octets++] = (byte) value;
      if (i == to) {
        return octets == 4 ? bytes : null;
      }
      if (s.charAt(i) != '.') {
        return null;
      }
      i++;
    }
  }

  /** The sixteen bytes of an IPv6 address without brackets or zone, or null. */
  private static byte[] ipv6(String s) {
    byte[] bytes = new byte[16];
    int n = s.length();
    int b = 0;
    // Where "::" stood: the bytes written after it are moved to the end.
    int compress = -1;
    int i = 0;
    if (s.startsWith("::")) {
      compress = 0;
      i = 2;
      if (i == n) {
        return bytes;
      }
    }
    while (i < n) {
      if (b == 16) {
        return null;
      }
      int start = i;
      i = hexGroupEnd(s, start);
      if (i < 0) {
        return null;
      }
      if (i < n && s.charAt(i) == '.') {
        // A dotted IPv4 address can only end the address, filling its last four bytes.
        byte[] v4 = b <= 12 ? ipv4(s, start, n) : null;
        if (v4 == null) {
          return null;
        }
        System.arraycopy(v4, 0, bytes, b, 4);
        b += 4;
        break;
      }
      if (i == start) {
        return null;
      }
      int value = Integer.parseInt(s, start, i, 16);
      bytes[b++] = (byte) (value >>> 8);
      bytes[b++] = (byte) value;
      if (i == n) {
        break;
      }
      if (s.charAt(i) != ':') {
        return null;
      }
      i++;
      if (i < n && s.charAt(i) == ':') {
        if (compress >= 0) {
          return null;
        }
        compress = b;
        i++;
      } else if (i == n) {
        // A single trailing colon.
        return null;
      }
    }
    return expandCompression(bytes, b, compress);
  }

  /**
   * The end of the group of hex digits that starts at {@code start} in {@code s} (equal to
   * {@code start} when there is none), or -1 when it has more than four digits.
   */
  private static int hexGroupEnd(String s, int start) {
    int i = start;
    while (i < s.length() && Character.digit(s.charAt(i), 16) >= 0 && s.charAt(i) < 128) {
      i++;
      if (i - start > 4) {
        return -1;
      }
    }
    return i;
  }

  /**
   * {@code bytes}, of which the first {@code written} are parsed, with the "::" that stood at
   * byte {@code compress} (-1 for none) expanded to zero groups; null when the groups do not
   * make sixteen bytes.
   */
  private static byte[] expandCompression(byte[] bytes, int written, int compress) {
    if (compress < 0) {
      return written == 16 ? bytes : null;
    }
    // "::" stands for at least one zero group.
    if (written > 14) {
      return null;
    }
    int tail = written - compress;
    System.arraycopy(bytes, compress, bytes, 16 - tail, tail);
    Arrays.fill(bytes, compress, 16 - tail, (byte) 0);
    return bytes;
  }
}
