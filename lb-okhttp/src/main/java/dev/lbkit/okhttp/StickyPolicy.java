package dev.lbkit.okhttp;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import okhttp3.Request;

/**
 * Session affinity for one cluster. Opt-in: without a policy every request gets a normal pick.
 * Three forms:
 *
 * <ul>
 *   <li>{@link #balancerCookie(String)}: lbkit adds a {@code Set-Cookie} with an opaque token
 *       for the chosen server (an HMAC of the cluster and server id under a secret, never an
 *       address) to the response, and stores it in the client's cookie jar. Later requests
 *       carrying the token go to that server while it is pickable; otherwise they are re-picked
 *       and get a new cookie.
 *   <li>{@link #hashKey(Function)} / {@link #hashHeader(String)}: the key becomes the pick's
 *       hash key, so a consistent-hashing algorithm (ring hash, Maglev) maps it to a server.
 *       With an algorithm that ignores hash keys (round robin) it has no effect.
 *   <li>{@link #applicationCookie(String, int, Duration)}: lbkit learns "cookie value → server"
 *       from the application's own {@code Set-Cookie} (for example {@code JSESSIONID}) and sends
 *       later requests carrying that value to the same server. The table is a Caffeine cache
 *       bounded in size and idle time, so a million sessions cost a bounded amount of memory.
 * </ul>
 *
 * <p>A forged, stale or unknown value never leaves the cluster: it can only name a current,
 * pickable member of the cluster the request was routed to, and otherwise gets a normal pick.
 */
public final class StickyPolicy {

  /** Default learned sessions kept per client, 100 000: about 10 MB of keys and ids. */
  public static final int DEFAULT_MAX_SESSIONS = 100_000;

  /** Default idle time before a learned session is forgotten, 30 minutes: a typical session timeout. */
  public static final Duration DEFAULT_SESSION_IDLE = Duration.ofMinutes(30);

  enum Kind {
    BALANCER_COOKIE,
    HASH,
    APPLICATION_COOKIE
  }

  private final Kind kind;
  private final String name;
  private final Function<Request, String> keyFunction;
  private final int maxSessions;
  private final Duration sessionIdle;

  private StickyPolicy(
      Kind kind, String name, Function<Request, String> keyFunction, int maxSessions, Duration sessionIdle) {
    this.kind = kind;
    this.name = name;
    this.keyFunction = keyFunction;
    this.maxSessions = maxSessions;
    this.sessionIdle = sessionIdle;
  }

  /**
   * lbkit sets and honours its own cookie called {@code cookieName}. Requests carry it from the
   * base client's {@code CookieJar}, or from a {@code Cookie} header the caller copies; {@link
   * LbOkHttp#wrap} warns when the base client has no jar. lbkit keeps no jar of its own: one jar
   * per client would make every request of a shared server-side client stick to one server.
   *
   * @throws IllegalArgumentException when the name is empty or not a cookie token
   */
  public static StickyPolicy balancerCookie(String cookieName) {
    return new StickyPolicy(Kind.BALANCER_COOKIE, checkCookieName(cookieName), null, 0, null);
  }

  /**
   * Hashes the value of request header {@code header}; requests without it get a normal pick.
   *
   * @throws IllegalArgumentException when {@code header} is empty or not a header name (a token)
   */
  public static StickyPolicy hashHeader(String header) {
    if (header == null || header.isBlank()) {
      throw new IllegalArgumentException("header must not be empty, was " + (header == null ? "null" : "'" + header + "'"));
    }
    if (!HttpTokens.isToken(header)) {
      throw new IllegalArgumentException("header must be a header name token, was '" + header + "'");
    }
    return new StickyPolicy(Kind.HASH, header, r -> r.header(header), 0, null);
  }

  /**
   * Hashes a key computed from the request, for example a client key set as a request tag:
   * {@code hashKey(r -> r.tag(String.class))}. A null key means a normal pick.
   */
  public static StickyPolicy hashKey(Function<Request, String> keyFunction) {
    return new StickyPolicy(Kind.HASH, "key", Objects.requireNonNull(keyFunction, "keyFunction"), 0, null);
  }

  /**
   * Learns which server issued each value of the application cookie {@code cookieName}.
   *
   * @param maxSessions most sessions remembered, in [1, 100000000]
   * @param idle how long an unused session is remembered, positive
   */
  public static StickyPolicy applicationCookie(String cookieName, int maxSessions, Duration idle) {
    if (maxSessions < 1 || maxSessions > 100_000_000) {
      throw new IllegalArgumentException("maxSessions must be in [1, 100000000], was " + maxSessions);
    }
    if (idle == null || idle.isZero() || idle.isNegative()) {
      throw new IllegalArgumentException("idle must be positive, was " + idle);
    }
    return new StickyPolicy(Kind.APPLICATION_COOKIE, checkCookieName(cookieName), null, maxSessions, idle);
  }

  /** {@link #applicationCookie(String, int, Duration)} with the default bounds. */
  public static StickyPolicy applicationCookie(String cookieName) {
    return applicationCookie(cookieName, DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_IDLE);
  }

  Kind kind() {
    return kind;
  }

  /** The cookie or header name. */
  public String name() {
    return name;
  }

  String key(Request request) {
    return keyFunction.apply(request);
  }

  int maxSessions() {
    return maxSessions;
  }

  Duration sessionIdle() {
    return sessionIdle;
  }

  private static String checkCookieName(String name) {
    if (name == null || name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
      throw new IllegalArgumentException("cookieName must be a non-empty token, was " + (name == null ? "null" : "'" + name + "'"));
    }
    return name;
  }

  @Override
  public String toString() {
    return "StickyPolicy{" + kind + " " + name + (kind == Kind.APPLICATION_COOKIE ? ", max " + maxSessions + ", idle " + sessionIdle : "") + "}";
  }
}
