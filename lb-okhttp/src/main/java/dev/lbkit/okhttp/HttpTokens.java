package dev.lbkit.okhttp;

/**
 * HTTP's {@code token} (RFC 9110, section 5.6.2): what a header name, a method or a cookie name
 * is made of. A configuration naming anything else could never match a request, so builders
 * reject it instead of letting a policy or rule silently never apply.
 */
final class HttpTokens {
  private static final String DELIMITERS = "\"(),/:;<=>?@[\\]{}";

  private HttpTokens() {}

  /** Whether {@code s} is a non-empty token: visible ASCII except the delimiters. */
  static boolean isToken(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 32 || c >= 127 || DELIMITERS.indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }
}
