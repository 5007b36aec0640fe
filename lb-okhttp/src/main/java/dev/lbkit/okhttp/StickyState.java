package dev.lbkit.okhttp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.lbkit.api.Server;
import dev.lbkit.api.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.Cookie;
import okhttp3.HttpUrl;
import okhttp3.Response;

/**
 * The live side of a cookie {@link StickyPolicy} for one cluster: which server a request's
 * sticky cookie names, and what a response teaches or gets.
 *
 * <p>A sticky value resolves to a server id at most, never to an address. The call prefers that
 * server ({@link dev.lbkit.api.PickContext.Builder#preferId}), and the picker returns it only
 * while it is a current, pickable member of this cluster that its admission gate admits;
 * otherwise the call gets a normal pick. So a forged, stale or unknown value never leaves the
 * cluster, and stickiness needs nothing of the cluster but its {@link dev.lbkit.api.Picker}.
 *
 * <p><b>Balancer cookie.</b> The token is an HMAC of the cluster and the server id under the
 * client's secret, so it cannot be turned back into an id: it is compared, in constant time,
 * with the tokens this client knows. It learns a server's token when it issues one, and, when a
 * cookie names none it knows (a cookie issued by another process sharing the secret, or before
 * a restart), computes the tokens of the cluster's current servers it has none for. Cost:
 * O(servers known) per sticky request, one HMAC per server ever learned; an unknown or forged
 * token costs one read of the server list and no HMAC once every current server is known.
 *
 * <p><b>Application cookie.</b> The value of the application's own cookie maps to the server
 * that set it, learned from each response's {@code Set-Cookie} into a Caffeine cache bounded in
 * size and idle time.
 *
 * <p>Threading: shared by every call to the cluster; the token map and the session cache are
 * concurrent.
 */
final class StickyState {
  /**
   * Bound of learned tokens; past it they are cleared and learned again from the next responses
   * (tokens are cheap to recompute, and few clusters have that many servers).
   */
  private static final int MAX_TOKENS = 4096;
  /** Token length in bytes of HMAC output: 96 bits, unguessable and short. */
  private static final int TOKEN_BYTES = 12;

  final StickyPolicy policy;
  private final String cluster;
  private final byte[] secret;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private final Supplier<List<Server>> members;
  private final Cache<String, String> sessions;

  StickyState(
      StickyPolicy policy, String cluster, byte[] secret, Ticker ticker, Executor executor,
      Supplier<List<Server>> members) {
    this.policy = policy;
    this.members = members;
    this.cluster = cluster;
    this.secret = secret;
    this.sessions =
        policy.kind() == StickyPolicy.Kind.APPLICATION_COOKIE
            ? Caffeine.newBuilder()
                .maximumSize(policy.maxSessions())
                .expireAfterAccess(policy.sessionIdle())
                .ticker(ticker::nanoTime)
                .executor(executor)
                .build()
            : null;
  }

  /** The id of the server the request's sticky cookie names, or null (no cookie, or an unknown value). */
  String preferredId(Map<String, String> cookies) {
    String value = cookies.get(policy.name());
    if (value == null) {
      return null;
    }
    if (policy.kind() == StickyPolicy.Kind.APPLICATION_COOKIE) {
      return sessions.getIfPresent(value);
    }
    String id = knownId(value);
    if (id == null) {
      for (Server s : members.get()) {
        if (!tokens.containsKey(s.id())) {
          token(s);
        }
      }
      id = knownId(value);
    }
    return id;
  }

  private String knownId(String token) {
    for (Map.Entry<String, String> learned : tokens.entrySet()) {
      if (constantTimeEquals(learned.getValue(), token)) {
        return learned.getKey();
      }
    }
    return null;
  }

  /** The response to hand back: with a balancer cookie for {@code server} when needed. */
  Response onResponse(Response response, Server server, Map<String, String> requestCookies, HttpUrl logicalUrl, okhttp3.CookieJar jar) {
    if (policy.kind() == StickyPolicy.Kind.APPLICATION_COOKIE) {
      for (String header : response.headers("Set-Cookie")) {
        Cookie c = Cookie.parse(logicalUrl, header);
        if (c != null && c.name().equals(policy.name())) {
          sessions.put(c.value(), server.id());
        }
      }
      return response;
    }
    String token = token(server);
    if (token.equals(requestCookies.get(policy.name()))) {
      return response;
    }
    String setCookie = policy.name() + "=" + token + "; Path=/; HttpOnly" + (logicalUrl.isHttps() ? "; Secure" : "");
    Cookie cookie = Cookie.parse(logicalUrl, setCookie);
    if (cookie != null) {
      jar.saveFromResponse(logicalUrl, List.of(cookie));
    }
    return response.newBuilder().addHeader("Set-Cookie", setCookie).build();
  }

  /** The balancer-cookie token of {@code server}, learned for {@link #preferredId} from now on. */
  String token(Server server) {
    String token = tokens.get(server.id());
    if (token == null) {
      if (tokens.size() >= MAX_TOKENS) {
        tokens.clear();
      }
      token = computeToken(server.id());
      tokens.put(server.id(), token);
    }
    return token;
  }

  Cache<String, String> sessions() {
    return sessions;
  }

  private String computeToken(String serverId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] out = mac.doFinal((cluster + "\n" + serverId).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(out, TOKEN_BYTES));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return java.security.MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
