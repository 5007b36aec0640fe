package dev.lbkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps lb-bom complete: it pins every module the build publishes, at the build's version, and
 * nothing else.
 */
class BomTest {

  /**
   * Modules that are not published as libraries: the demo, the benchmarks, the fleet simulator
   * (a tool run from its own command), the reliability suite (tests only) and the BOM itself.
   */
  private static final Set<String> NOT_PUBLISHED = Set.of("examples", "benchmarks", "simulator", "reliability", "lb-bom");

  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
  private static final Pattern MANAGED = Pattern.compile(
      "<groupId>dev\\.lbkit</groupId>\\s*<artifactId>([^<]+)</artifactId>\\s*<version>([^<]+)</version>");
  private static final Pattern OWN_VERSION =
      Pattern.compile("<artifactId>(?:lbkit-parent|lb-bom)</artifactId>\\s*<version>([^<]+)</version>");

  @Test
  void theBomPinsEveryPublishedModuleAtTheBuildsVersion() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    String parent = Files.readString(root.resolve("pom.xml"));
    String bom = Files.readString(root.resolve("lb-bom/pom.xml"));

    Set<String> published = new TreeSet<>();
    Matcher modules = MODULE.matcher(parent);
    while (modules.find()) {
      if (!NOT_PUBLISHED.contains(modules.group(1))) {
        published.add(modules.group(1));
      }
    }
    Set<String> pinned = new TreeSet<>();
    List<String> versions = new ArrayList<>();
    Matcher managed = MANAGED.matcher(bom.substring(bom.indexOf("<dependencyManagement>")));
    while (managed.find()) {
      pinned.add(managed.group(1));
      versions.add(managed.group(2));
    }
    assertEquals(published, pinned);
    assertEquals(Set.of("${project.version}"), Set.copyOf(versions));
    assertEquals(version(parent), version(bom), "lb-bom has no parent, so its version is kept by hand");
  }

  private static String version(String pom) {
    Matcher m = OWN_VERSION.matcher(pom);
    if (!m.find()) {
      throw new AssertionError("no version in " + pom);
    }
    return m.group(1);
  }
}
