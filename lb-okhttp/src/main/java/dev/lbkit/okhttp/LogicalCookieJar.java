package dev.lbkit.okhttp;

import java.util.ArrayList;
import java.util.List;
import okhttp3.Cookie;
import okhttp3.CookieJar;
import okhttp3.HttpUrl;

/**
 * Stores and loads cookies under the logical URL when the attempt's host is a TLS name
 * ({@link LbConfig.TlsName#SERVER}): the caller's cookies belong to {@code user-service}, not to
 * {@code backend-1.example}. Host-only cookies are rescoped to the logical host; a cookie with a
 * {@code Domain} attribute names the server's domain and is dropped.
 *
 * <p>Two jars are equal when they have equal delegates and the same logical host. Threading: as
 * thread-safe as the delegate jar.
 */
final class LogicalCookieJar implements CookieJar {
  private final CookieJar delegate;
  private final HttpUrl logical;

  LogicalCookieJar(CookieJar delegate, HttpUrl logical) {
    this.delegate = delegate;
    this.logical = logical;
  }

  @Override
  public List<Cookie> loadForRequest(HttpUrl url) {
    return delegate.loadForRequest(logical);
  }

  @Override
  public void saveFromResponse(HttpUrl url, List<Cookie> cookies) {
    List<Cookie> mapped = new ArrayList<>(cookies.size());
    for (Cookie c : cookies) {
      if (c.hostOnly()) {
        mapped.add(c.newBuilder().hostOnlyDomain(logical.host()).build());
      }
    }
    delegate.saveFromResponse(logical, mapped);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogicalCookieJar && ((LogicalCookieJar) o).delegate.equals(delegate)
        && ((LogicalCookieJar) o).logical.host().equals(logical.host());
  }

  @Override
  public int hashCode() {
    return delegate.hashCode() * 31 + logical.host().hashCode();
  }
}
