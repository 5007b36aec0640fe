package dev.lbkit.okhttp;

import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which redirects lbkit follows, and the follow-up request for each: OkHttp's own rules ({@code
 * RetryAndFollowUpInterceptor}), applied to the logical request.
 *
 * <p>lbkit follows redirects itself, in {@link LbInterceptor}'s follow-up loop, because OkHttp
 * would follow after the application interceptors, against the URL of the attempt: a relative
 * redirect could then not get a new pick. Followed when the base client follows redirects:
 * 300, 301, 302, 303, 307 and 308 with a {@code Location}; to another scheme only when the base
 * client follows SSL redirects, and from HTTPS to HTTP only when {@link
 * LbConfig.Builder#allowHttpsToHttpRedirects} allows it. A 307 or 308 keeps the method and
 * body (and is not followed when the body cannot be resent); the others turn into a bodiless
 * GET. Credentials ({@code Authorization}, {@code Proxy-Authorization}) and explicit cookies
 * never follow to another origin.
 *
 * <p>Immutable; shared by every call of a wrapped client.
 */
final class Redirects {
  private static final Logger log = LoggerFactory.getLogger(Redirects.class);

  /** Redirect hops allowed, 20: OkHttp's own limit (Chrome's too). */
  static final int MAX_FOLLOW_UPS = 20;

  private final boolean followRedirects;
  private final boolean followSslRedirects;
  private final boolean allowHttpsToHttp;

  Redirects(boolean followRedirects, boolean followSslRedirects, boolean allowHttpsToHttp) {
    this.followRedirects = followRedirects;
    this.followSslRedirects = followSslRedirects;
    this.allowHttpsToHttp = allowHttpsToHttp;
  }

  /** The follow-up of {@code response} to {@code request}, or null when it is not a redirect to follow. */
  Request followUp(Response response, Request request) {
    HttpUrl url = followRedirects ? target(response, request.url()) : null;
    if (url == null) {
      return null;
    }
    Request.Builder b = request.newBuilder().url(url);
    String method = request.method();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      if (response.code() == 307 || response.code() == 308) {
        if (!Resend.possible(request)) {
          return null;
        }
      } else {
        b.method("GET", null);
        b.removeHeader("Transfer-Encoding");
        b.removeHeader("Content-Length");
        b.removeHeader("Content-Type");
      }
    }
    HttpUrl from = request.url();
    if (!from.host().equals(url.host()) || from.port() != url.port() || !from.scheme().equals(url.scheme())) {
      // Credentials and explicit cookies never follow to another origin; the cookie jar scopes
      // its own cookies by host. Proxy-Authorization too: balanced attempts bypass any proxy, so
      // the header reached the server itself, and would reach the next host as well.
      b.removeHeader("Authorization");
      b.removeHeader("Proxy-Authorization");
      b.removeHeader("Cookie");
      b.removeHeader("Host");
    }
    return b.build();
  }

  /** Where a redirect response sends a request for {@code from}, or null when nowhere allowed. */
  private HttpUrl target(Response response, HttpUrl from) {
    int code = response.code();
    if (code != 300 && code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
      return null;
    }
    String location = response.header("Location");
    if (location == null) {
      return null;
    }
    HttpUrl url = from.resolve(location);
    if (url == null) {
      return null;
    }
    if (!url.scheme().equals(from.scheme())) {
      if (!followSslRedirects) {
        return null;
      }
      if (from.isHttps() && !url.isHttps() && !allowHttpsToHttp) {
        log.debug("refusing redirect from HTTPS to HTTP: {}", url.redact());
        return null;
      }
    }
    return url;
  }

  /**
   * {@code response} with an empty body, for {@link Response#priorResponse()}: OkHttp keeps only
   * the headers of prior responses too (their bodies were closed when the follow-up started).
   */
  static Response withoutBody(Response response) {
    return response.newBuilder().body(ResponseBody.create(new byte[0], response.body().contentType())).build();
  }
}
