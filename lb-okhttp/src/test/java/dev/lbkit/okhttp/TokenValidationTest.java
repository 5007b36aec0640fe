package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Header names and methods that no request can carry are configuration errors: a policy or rule
 * naming one would silently never apply. Found by the reliability suite's row 13.
 */
class TokenValidationTest {

  private static void rejects(String message, Executable build) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, build).getMessage());
  }

  @Test
  void stickyHashHeaderMustBeAHeaderName() {
    rejects("header must be a header name token, was 'X User'", () -> StickyPolicy.hashHeader("X User"));
    rejects("header must be a header name token, was 'X:User'", () -> StickyPolicy.hashHeader("X:User"));
    StickyPolicy.hashHeader("X-User_1");
  }

  @Test
  void rateLimitKeyHeaderMustBeAHeaderName() {
    rejects("keyHeader must be a header name token, was 'X Api'",
        () -> RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1, Duration.ofSeconds(1)).perKey("X Api").build());
    RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1, Duration.ofSeconds(1)).perKey("X-Api-Key").build();
  }

  @Test
  void ruleMethodAndHeaderNamesMustBeTokensAndItsNameNotEmpty() {
    rejects("method must be a token, was 'GE T'", () -> RouteRule.builder().method("GE T").toCluster("a").build());
    rejects("header name must be a token, was X Y=v", () -> RouteRule.builder().header("X Y", "v").toCluster("a").build());
    rejects("name must not be empty, was ''", () -> RouteRule.builder().name("").toCluster("a").build());
    rejects("name must not be empty, was ' '", () -> RouteRule.builder().name(" ").toCluster("a").build());
    RouteRule.builder().name("canary").method("purge").header("X-Canary", "1").toCluster("a").build();
  }
}
