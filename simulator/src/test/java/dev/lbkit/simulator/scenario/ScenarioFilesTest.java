package dev.lbkit.simulator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.internal.RetryBackoff;
import dev.lbkit.simulator.fleet.View;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every shipped scenario file parses, and mistakes in a file are named precisely. */
class ScenarioFilesTest {

  @Test
  void everyShippedScenarioParses() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("scenarios"))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertFalse(files.isEmpty());
    for (Path f : files) {
      Scenario scenario = Scenario.load(f);
      assertEquals(f.getFileName().toString(), scenario.name() + ".yaml", "a scenario's name is its file's name");
      assertFalse(scenario.description().isEmpty(), f + " has no description");
      if (scenario.kind() == Scenario.Kind.FLEET) {
        assertFalse(scenario.variants().isEmpty(), f + " has no variants");
      }
    }
  }

  @Test
  void parsesDurationsWithUnits() {
    assertEquals(Duration.ofNanos(250_000), Durations.parse("250us"));
    assertEquals(Duration.ofMillis(1_500), Durations.parse("1.5s"));
    assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
    assertEquals(Duration.ZERO, Durations.parse("0"));
    assertEquals("1.5s", Durations.format(Duration.ofMillis(1_500)));
    assertEquals("250us", Durations.format(Duration.ofNanos(250_000)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("10"));
    assertEquals("a duration is a number and a unit (ns, us, ms, s, m, h), as 10ms or 1.5s; was '10'", e.getMessage());
  }

  @Test
  void expandsViewsIntoTheGrid() throws IOException {
    Scenario s = Scenario.parse("""
        name: grid
        description: two by two
        servers: 4
        service: {mean: 10ms}
        workload: {utilisation: 0.5}
        requests: 100
        variants:
          - {name: LC, algorithm: least-connections}
          - {name: P2C, algorithm: power-of-two-choices}
        views: [own, {kind: board, refresh: 100ms}]
        """);
    assertEquals(List.of("LC · own", "P2C · own", "LC · board 100ms", "P2C · board 100ms"),
        s.variants().stream().map(v -> v.name()).toList());
    assertEquals(View.board(100_000_000L), s.variants().get(3).view());
    assertEquals(200.0, s.fleet().workload().ratePerSecond(), 1e-9);
  }

  @Test
  void namesAnUnknownAlgorithm() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scenario.parse("""
        name: bad
        service: {mean: 10ms}
        workload: {rate: 10}
        requests: 10
        variants: [{name: x, algorithm: fastest}]
        """));
    assertTrue(e.getMessage().startsWith("algorithm must be one of round-robin,"), e.getMessage());
    assertTrue(e.getMessage().endsWith("; was 'fastest'"), e.getMessage());
  }

  @Test
  void refusesUnknownFields() {
    Exception e = assertThrows(Exception.class, () -> Scenario.parse("""
        name: bad
        service: {mean: 10ms}
        workload: {rate: 10}
        requets: 10
        variants: [{name: x, algorithm: random}]
        """));
    assertTrue(e.getMessage().contains("requets"), e.getMessage());
  }

  @Test
  void readsARetryBackoffWithLbOkHttpsDefaultsForWhatIsLeftOut() throws IOException {
    Scenario s = Scenario.parse("""
        name: backoff
        service: {mean: 10ms}
        workload: {rate: 10}
        requests: 10
        attempts: 2
        variants:
          - {name: default, algorithm: random}
          - {name: fixed, algorithm: random, retry: {backoff: {initial: 40ms, jitter: 0}}}
          - {name: none, algorithm: random, retry: {backoff: {initial: 0s, max: 0s}}}
        """);
    assertEquals(RetryBackoff.DEFAULT, s.variants().get(0).retry().backoff());
    assertEquals(new RetryBackoff(Duration.ofMillis(40), RetryBackoff.DEFAULT_MAX, RetryBackoff.DEFAULT_MULTIPLIER, 0),
        s.variants().get(1).retry().backoff());
    assertEquals(new RetryBackoff(Duration.ZERO, Duration.ZERO, RetryBackoff.DEFAULT_MULTIPLIER, RetryBackoff.DEFAULT_JITTER),
        s.variants().get(2).retry().backoff());
  }

  @Test
  void namesABadRetryBackoff() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scenario.parse("""
        name: bad
        service: {mean: 10ms}
        workload: {rate: 10}
        requests: 10
        variants: [{name: x, algorithm: random, retry: {backoff: {jitter: 1.5}}}]
        """));
    assertEquals("retry.backoff: jitter must be in [0, 1), was 1.5", e.getMessage());
  }
}
