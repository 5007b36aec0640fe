package dev.lbkit.okhttp;

import java.util.HashMap;
import java.util.Map;
import okhttp3.Cookie;
import okhttp3.CookieJar;
import okhttp3.Request;

/**
 * The request's cookies, parsed once on demand: the explicit {@code Cookie} headers plus what
 * the cookie jar holds for the request's (logical) URL. Untrusted input: routing rules and
 * sticky policies read it, and neither lets a value leave the cluster it names.
 *
 * <p>Threading: one per request hop, used by the calling thread only.
 */
final class CookieView {
  private final Request request;
  private final CookieJar jar;
  private Map<String, String> all;

  CookieView(Request request, CookieJar jar) {
    this.request = request;
    this.jar = jar;
  }

  /** Every cookie of the request by name; an explicit header wins over the jar. */
  Map<String, String> all() {
    if (all == null) {
      Map<String, String> m = new HashMap<>();
      for (Cookie c : jar.loadForRequest(request.url())) {
        m.put(c.name(), c.value());
      }
      for (String header : request.headers("Cookie")) {
        for (String pair : header.split(";")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            m.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
          }
        }
      }
      all = m;
    }
    return all;
  }
}
