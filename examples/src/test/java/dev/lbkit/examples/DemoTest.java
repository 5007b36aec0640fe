package dev.lbkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Runs the demo small and checks that its output says what the README promises. */
class DemoTest {

  @Test
  void printsATablePerAlgorithmAndAFailoverWithoutFailedCalls() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Demo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), 200, Duration.ofSeconds(2));
    String out = bytes.toString(StandardCharsets.UTF_8);

    Matcher summary = Pattern.compile("(?m)^(.+): 200 calls in [0-9.]+ s, (\\d+) failed").matcher(out);
    int tables = 0;
    while (summary.find()) {
      tables++;
      assertEquals("0", summary.group(2), summary.group(1) + " failed calls\n" + out);
    }
    assertTrue(tables >= 1, out);
    for (String backend : List.of("fast", "heavy", "slow", "flaky")) {
      assertEquals(tables, out.lines().filter(l -> l.startsWith("  " + backend + " ") && l.contains("%")).count(),
          backend + " rows\n" + out);
    }
    assertTrue(out.contains("killed fast"), out);
    assertTrue(out.matches("(?s).*fast is now (ejected|unhealthy).*"), out);
    assertTrue(out.matches("(?s).*\\n0 of \\d+ calls failed\\. fast left the rotation \\d+ ms after it was killed.*"), out);
    assertTrue(out.contains("restarted fast"), out);
    List<String> rows = out.lines().filter(l -> l.matches("\\s+[0-9.]+s\\s+\\d+\\s+\\d+\\s+\\d+%.*")).collect(Collectors.toList());
    assertEquals(Demo.FAILOVER_ROWS, rows.size(), out);
    for (String row : rows) {
      assertEquals("0", row.trim().split("\\s+")[2], "failed calls in a failover interval\n" + out);
    }
  }
}
