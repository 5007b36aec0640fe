package dev.lbkit.okhttp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.api.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.Cookie;
import okhttp3.HttpUrl;
import okhttp3.Response;

/**
 * The live side of a {@link StickyPolicy} for one cluster.
 *
 * <p>Resolving a sticky value scans the cluster's current server views: O(servers) per sticky
 * request, with one token computation per server cached. A value only ever resolves to a
 * current, pickable member of this cluster; anything else yields null and a normal pick.
 */
final class StickyState {
  /** Token cache bound; past it the cache is cleared (tokens are cheap to recompute). */
  private static final int MAX_TOKENS = 4096;
  /** Token length in bytes of HMAC output: 96 bits, unguessable and short. */
  private static final int TOKEN_BYTES = 12;

  final StickyPolicy policy;
  private final String cluster;
  private final LoadBalancer balancer;
  private final byte[] secret;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private final Cache<String, String> sessions;

  StickyState(StickyPolicy policy, String cluster, LoadBalancer balancer, byte[] secret, Ticker ticker, Executor executor) {
    this.policy = policy;
    this.cluster = cluster;
    this.balancer = balancer;
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

  /** The pickable member of the cluster the request's sticky value names, or null. */
  Server target(Map<String, String> cookies) {
    String value = cookies.get(policy.name());
    if (value == null) {
      return null;
    }
    String serverId;
    if (policy.kind() == StickyPolicy.Kind.APPLICATION_COOKIE) {
      serverId = sessions.getIfPresent(value);
      if (serverId == null) {
        return null;
      }
    } else {
      serverId = null;
    }
    for (ServerView v : balancer.servers()) {
      if (!v.health().pickable()) {
        continue;
      }
      Server s = v.server();
      if (serverId != null ? s.id().equals(serverId) : constantTimeEquals(token(s), value)) {
        return s;
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
