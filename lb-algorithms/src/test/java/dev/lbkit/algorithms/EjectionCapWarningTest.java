package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeHealthInput;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A server that keeps failing while the ejection cap holds it in is logged once at WARN, naming
 * the server and the cap, not at every retry of the input. The log is read from what SLF4J's
 * simple logger writes to {@code System.err} (tests log at WARN and above).
 */
class EjectionCapWarningTest {

  private final FakeHealthInput outliers = new FakeHealthInput();
  private final List<Server> s = HealthFakes.servers(3, 0, 0);

  private LoadBalancer lb() {
    return LoadBalancer.builder("user-service").servers(s).healthInput(outliers).build();
  }

  /** The WARN lines logged while {@code action} runs. */
  private static List<String> warnings(Runnable action) {
    return warnings(() -> {
      action.run();
      return null;
    }, new ArrayList<>());
  }

  private static <T> List<String> warnings(Supplier<T> action, List<T> result) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      result.add(action.get());
    } finally {
      System.setErr(original);
    }
    List<String> lines = new ArrayList<>();
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.contains(" WARN ") && line.contains("not ejecting")) {
        lines.add(line.substring(line.indexOf(" - ") + 3));
      }
    }
    return lines;
  }

  @Test
  void theCapRefusalIsLoggedOnceNamingTheServerAndTheCap() {
    try (LoadBalancer lb = lb()) {
      assertTrue(outliers.control().eject(s.get(1), "5 consecutive failures (last: SERVER_ERROR)"));
      List<Boolean> results = new ArrayList<>();
      List<String> first = warnings(() -> outliers.control().eject(s.get(2), "5 consecutive failures (last: CONNECT_FAILURE)"), results);
      assertEquals(List.of(false), results);
      assertEquals(List.of("user-service: not ejecting 10.0.0.3:80 (5 consecutive failures (last: CONNECT_FAILURE)):"
          + " the ejection cap is reached: maxEjectionPercent 10% of 3 servers allows 1 ejection, held by 10.0.0.2:80;"
          + " it keeps getting picks. Logged once until an ejection starts or ends."), first);

      // The input retries at 10, 15 ... failures and at every evaluation: no new line.
      assertEquals(List.of(), warnings(() -> {
        outliers.control().eject(s.get(2), "10 consecutive failures (last: CONNECT_FAILURE)");
        outliers.control().eject(s.get(2), "90% failures over 10s (45 of 50 requests)");
      }));
      assertFalse(lb.servers().get(2).health().ejected());
    }
  }

  @Test
  void aNewEpisodeBeginsWhenTheEjectionsChange() {
    try (LoadBalancer lb = lb()) {
      assertTrue(outliers.control().eject(s.get(1), "5 consecutive failures"));
      assertEquals(1, warnings(() -> outliers.control().eject(s.get(2), "5 consecutive failures")).size());
      // b is re-admitted and ejected again: the cap is held anew, and c is refused anew.
      outliers.control().uneject(s.get(1));
      assertTrue(outliers.control().eject(s.get(1), "5 consecutive failures"));
      assertEquals(1, warnings(() -> outliers.control().eject(s.get(2), "5 consecutive failures")).size());
      // b leaves for good: c takes the slot, silently.
      outliers.control().uneject(s.get(1));
      assertEquals(List.of(), warnings(() -> assertTrue(outliers.control().eject(s.get(2), "5 consecutive failures"))));
      assertTrue(lb.servers().get(2).health().ejected());
    }
  }

  @Test
  void theLastPickableServerIsLoggedOnceToo() {
    List<Server> two = HealthFakes.servers(2, 0, 0);
    try (LoadBalancer lb = LoadBalancer.builder("orders").servers(two).healthInput(outliers)
        .maxEjectionPercent(100).build()) {
      assertTrue(outliers.control().eject(two.get(0), "5 consecutive failures"));
      List<String> lines = warnings(() -> {
        assertFalse(outliers.control().eject(two.get(1), "5 consecutive failures"));
        assertFalse(outliers.control().eject(two.get(1), "10 consecutive failures"));
      });
      assertEquals(List.of("orders: not ejecting 10.0.0.2:80 (5 consecutive failures): it is the last pickable server;"
          + " it keeps getting picks. Logged once until an ejection starts or ends."), lines);
      assertTrue(lb.servers().get(1).health().pickable());
    }
  }
}
