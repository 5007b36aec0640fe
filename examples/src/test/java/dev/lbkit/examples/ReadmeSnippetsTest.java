package dev.lbkit.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README honest: every {@code java} snippet in README.md must stand, line for line
 * (ignoring indentation), between {@code // README:name} and {@code // README:end} markers in a
 * source file that the build compiles: main code, or a test that the build also runs.
 */
class ReadmeSnippetsTest {

  private static final Pattern SNIPPET = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern MARKED =
      Pattern.compile("// README:[a-z-]+\\n(.*?)\\n\\s*// README:end", Pattern.DOTALL);

  @Test
  void everyReadmeSnippetIsCompiledSource() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    String readme = Files.readString(root.resolve("README.md"));
    List<String> marked = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".java"))
          .filter(f -> f.toString().contains("/src/main/java/") || f.toString().contains("/src/test/java/"))
          .collect(Collectors.toList())) {
        Matcher m = MARKED.matcher(Files.readString(p));
        while (m.find()) {
          marked.add(normalize(m.group(1)));
        }
      }
    }
    Matcher m = SNIPPET.matcher(readme);
    int snippets = 0;
    while (m.find()) {
      snippets++;
      String snippet = normalize(m.group(1));
      assertTrue(marked.contains(snippet), "README snippet is not marked compiled source:\n" + snippet);
    }
    assertFalse(snippets == 0, "README has no java snippet");
  }

  @Test
  void readmeStartsWithTheDemoAndTestCommandsThatCiRuns() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    String readme = Files.readString(root.resolve("README.md"));
    int demo = readme.indexOf("\nmvn -q -Pdemo -DskipTests package ");
    int tests = readme.indexOf("\nmvn -B verify ");
    assertTrue(demo > 0 && tests > demo && readme.indexOf("\n## ") > tests,
        "README must give the demo command, then the test command, before its first section");
    assertTrue(Files.readString(root.resolve(".ci/run")).contains("\nmvn -B verify\n"),
        ".ci/run must run the README's test command");
  }

  @Test
  void everyConstantTheReadmeNamesExistsInTheSources() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    String readme = Files.readString(root.resolve("README.md"));
    StringBuilder sources = new StringBuilder();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".java"))
          .filter(f -> f.toString().contains("/src/main/java/"))
          .collect(Collectors.toList())) {
        sources.append(Files.readString(p));
      }
    }
    Matcher m = Pattern.compile("`(?:[A-Za-z]+\\.)?((?:DEFAULT|MAX|MIN)_[A-Z_]+)`").matcher(readme);
    while (m.find()) {
      assertTrue(Pattern.compile("public static final [\\w<>, ]+ " + m.group(1) + " =").matcher(sources).find(),
          "README names " + m.group(1) + ", which no public constant declares");
    }
  }

  private static String normalize(String code) {
    return code.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
  }
}
