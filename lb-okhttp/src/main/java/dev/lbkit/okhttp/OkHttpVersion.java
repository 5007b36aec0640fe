package dev.lbkit.okhttp;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import okhttp3.Interceptor;

/**
 * Which OkHttp is on the classpath, and whether lbkit can run on it: checked by {@link
 * LbOkHttp#wrap} before it builds anything, so that a wrong OkHttp fails at once with the fix,
 * not at the first call with a {@code NoSuchMethodError}.
 *
 * <p><b>Why OkHttp 5 only.</b> Each attempt keeps the logical host in its URL and reaches the
 * chosen server through OkHttp 5's per-call chain overrides ({@code withDns}, {@code
 * withCookieJar}, {@code withCertificatePinner}, {@code withProxy}, {@code
 * withRetryOnConnectionFailure}); see {@link AttemptAddressing}. OkHttp 4's chain has none of
 * them, and without them lbkit would have to rewrite the host (breaking SNI, hostname
 * verification, pins and cookies) or send each attempt as a nested call (losing cancellation, the
 * call timeout and the caller's event listener).
 *
 * <p><b>How the check reads the classpath.</b> The version is {@code okhttp3.OkHttp.VERSION}, read
 * reflectively (OkHttp 3 has no such class). The verdict rests on the methods themselves: every
 * chain method lbkit calls must exist on the {@link Interceptor.Chain} actually loaded. Maven
 * keeps {@code okhttp} 4.x and {@code okhttp-jvm} 5.x side by side (their artifactIds differ),
 * and whichever jar comes first on the classpath supplies the classes.
 */
final class OkHttpVersion {

  /** The OkHttp version lbkit is built and tested against, from the build. */
  static final String NEEDED = builtAgainst();

  /** The chain methods {@link AttemptAddressing} and {@link LbInterceptor} call. */
  private static final List<String> CHAIN_METHODS = List.of("getCookieJar", "withCookieJar", "withDns", "withProxy",
      "withRetryOnConnectionFailure", "getCertificatePinner", "withCertificatePinner");

  private OkHttpVersion() {}

  /** The version of the OkHttp loaded, or null when it has no {@code okhttp3.OkHttp.VERSION}. */
  static String found() {
    try {
      Object v = Class.forName("okhttp3.OkHttp").getField("VERSION").get(null);
      return v == null ? null : v.toString();
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  /** The chain methods lbkit calls that the loaded {@link Interceptor.Chain} lacks, in order. */
  static List<String> missingChainMethods() {
    Set<String> present = new HashSet<>();
    for (Method m : Interceptor.Chain.class.getMethods()) {
      present.add(m.getName());
    }
    List<String> missing = new ArrayList<>();
    for (String name : CHAIN_METHODS) {
      if (!present.contains(name)) {
        missing.add(name);
      }
    }
    return missing;
  }

  /**
   * Why lbkit cannot run on an OkHttp of version {@code found} (null when unknown) whose chain
   * lacks {@code missing}; null when it can.
   */
  static String problem(String found, List<String> missing) {
    if (missing.isEmpty()) {
      return null;
    }
    String version = found != null ? found : "(version unknown: no okhttp3.OkHttp.VERSION, so 3.x or older)";
    return "lbkit needs OkHttp " + NEEDED + " or a later 5.x, but found OkHttp " + version
        + ", whose Interceptor.Chain lacks " + String.join(", ", missing)
        + ": lbkit sends each attempt through OkHttp 5's per-call overrides, so that TLS names, certificate pins,"
        + " cookies and redirects keep the logical host. Maven keeps com.squareup.okhttp3:okhttp 4.x next to lbkit's"
        + " com.squareup.okhttp3:okhttp-jvm 5.x, as their artifactIds differ; pin one OkHttp for the whole build:"
        + " in <dependencyManagement>, declare com.squareup.okhttp3:okhttp at version " + NEEDED
        + ", or import the BOM com.squareup.okhttp3:okhttp-bom:" + NEEDED
        + " (<type>pom</type>, <scope>import</scope>). See the README, \"OkHttp versions\".";
  }

  /**
   * Throws when {@code problem(found, missing)} says lbkit cannot run.
   *
   * @throws IllegalStateException with that explanation
   */
  static void require(String found, List<String> missing) {
    String problem = problem(found, missing);
    if (problem != null) {
      throw new IllegalStateException(problem);
    }
  }

  private static String builtAgainst() {
    Properties p = new Properties();
    try (InputStream in = OkHttpVersion.class.getResourceAsStream("okhttp-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // Falls through to the generic answer: the check itself does not depend on it.
    }
    return p.getProperty("okhttp.version", "5.x");
  }
}
