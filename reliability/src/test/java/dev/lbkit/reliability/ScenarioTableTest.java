package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.reliability.ScenarioTable.Row;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioTableTest {

  @Test
  void rowsSortByScenarioNumberThenVariant() {
    List<Row> rows = ScenarioTable.sorted(List.of(
        new Row("10", "t", "x", "y", true),
        new Row("8b refuse", "t", "x", "y", true),
        new Row("8", "t", "x", "y", false)));
    assertEquals(List.of("8", "8b refuse", "10"), rows.stream().map(Row::id).toList());
    assertTrue(ScenarioTable.markdown(rows).contains("| 8 | t | x | y | FAIL |"));
  }
}
