package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * The OkHttp check of {@link LbOkHttp#wrap}: driven through its inputs (the version found and
 * the chain methods missing), so that no test needs OkHttp 4 on its classpath.
 */
class OkHttpVersionTest {

  private static final String FIX = "Maven keeps com.squareup.okhttp3:okhttp 4.x next to lbkit's"
      + " com.squareup.okhttp3:okhttp-jvm 5.x, as their artifactIds differ; pin one OkHttp for the whole build:"
      + " in <dependencyManagement>, declare com.squareup.okhttp3:okhttp at version " + OkHttpVersion.NEEDED
      + ", or import the BOM com.squareup.okhttp3:okhttp-bom:" + OkHttpVersion.NEEDED
      + " (<type>pom</type>, <scope>import</scope>). See the README, \"OkHttp versions\".";

  @Test
  void okHttp4IsRefusedNamingTheVersionFoundTheVersionNeededAndTheMavenFix() {
    String problem = OkHttpVersion.problem("4.12.0", List.of("getCookieJar", "withDns"));
    assertEquals("lbkit needs OkHttp " + OkHttpVersion.NEEDED + " or a later 5.x, but found OkHttp 4.12.0,"
        + " whose Interceptor.Chain lacks getCookieJar, withDns: lbkit sends each attempt through OkHttp 5's"
        + " per-call overrides, so that TLS names, certificate pins, cookies and redirects keep the logical host. "
        + FIX, problem);
  }

  @Test
  void anOkHttpThatPredatesTheVersionConstantIsNamedAsUnknown() {
    String problem = OkHttpVersion.problem(null, List.of("withDns"));
    assertTrue(problem.startsWith("lbkit needs OkHttp " + OkHttpVersion.NEEDED
        + " or a later 5.x, but found OkHttp (version unknown: no okhttp3.OkHttp.VERSION, so 3.x or older),"), problem);
  }

  @Test
  void anOkHttp5WithEveryChainOverrideIsAccepted() {
    assertNull(OkHttpVersion.problem("5.5.1", List.of()));
    assertNull(OkHttpVersion.problem("5.9.0", List.of()));
  }

  @Test
  void theOkHttpOnThisClasspathPassesAndIsTheOneTheBuildNamesAsNeeded() {
    assertEquals(List.of(), OkHttpVersion.missingChainMethods());
    assertEquals(OkHttpVersion.NEEDED, OkHttpVersion.found());
    assertNull(OkHttpVersion.problem(OkHttpVersion.found(), OkHttpVersion.missingChainMethods()));
  }

  @Test
  void wrapFailsAtOnceWhenTheCheckFails() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder().build(), "4.12.0", List.of("getCookieJar")));
    assertEquals(OkHttpVersion.problem("4.12.0", List.of("getCookieJar")), e.getMessage());
  }
}
