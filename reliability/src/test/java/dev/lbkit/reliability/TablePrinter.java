package dev.lbkit.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints {@link ScenarioTable} once the whole suite has run, and writes it to
 * {@code target/reliability-table.md} (the soak writes {@code target/reliability-soak-table.md}).
 * Registered through {@code META-INF/services}, so it runs under Maven and in an IDE alike.
 */
public final class TablePrinter implements TestExecutionListener {

  @Override
  public void testPlanExecutionFinished(TestPlan testPlan) {
    if (ScenarioTable.rows().isEmpty()) {
      return;
    }
    String table = ScenarioTable.markdown();
    System.out.println();
    System.out.println("Reliability suite (" + Profile.current() + " profile)");
    System.out.println(table);
    Path out = Path.of("target", Profile.current() == Profile.SOAK ? "reliability-soak-table.md" : "reliability-table.md");
    try {
      Files.createDirectories(out.getParent());
      Files.writeString(out, table);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
