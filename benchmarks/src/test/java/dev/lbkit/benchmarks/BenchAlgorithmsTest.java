package dev.lbkit.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchAlgorithmsTest {

  @Test
  void unknownAlgorithmNamesTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BenchAlgorithms.byName("fastest"));
    assertEquals("algorithm must be one of " + BenchAlgorithms.names() + ", was 'fastest'", e.getMessage());
  }

  @Test
  void selectAllListsEveryRegisteredAlgorithmInOrder() {
    List<String> names = new ArrayList<>();
    for (BenchAlgorithms.Entry e : BenchAlgorithms.select("all")) {
      names.add(e.name());
    }
    assertEquals(BenchAlgorithms.names(), names);
  }

  @Test
  void everyEntryBuildsAnAlgorithmThatReportsItsRegisteredName() {
    for (BenchAlgorithms.Entry e : BenchAlgorithms.select("all")) {
      assertEquals(e.name(), e.create().name());
    }
  }

  @Test
  void argsRejectUnknownKeysAndMalformedArguments() {
    Map<String, String> defaults = Map.of("rate", "500", "seconds", "8");
    assertEquals(Map.of("rate", "100", "seconds", "8"), Args.parse(new String[] {"rate=100"}, defaults));
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> Args.parse(new String[] {"speed=1"}, defaults));
    assertEquals("argument must be one of [rate, seconds], was 'speed'", unknown.getMessage());
    IllegalArgumentException malformed =
        assertThrows(IllegalArgumentException.class, () -> Args.parse(new String[] {"rate"}, defaults));
    assertEquals("arguments must be key=value, was 'rate'", malformed.getMessage());
  }
}
