package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.api.ActiveHealth;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.HealthControl;
import dev.lbkit.api.HealthInput;
import dev.lbkit.api.Server;
import dev.lbkit.testing.FakeHealthInput;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * An active check's result, reported by the input that ran it, reaches every input after the
 * verdict that check produced: what outlier detection needs to lift an ejection on a pass.
 */
class ActiveCheckReportTest {

  /** Records each active check result it hears, with the verdict the endpoint had by then. */
  private static final class ListeningInput implements HealthInput {
    final List<String> heard = new CopyOnWriteArrayList<>();

    @Override
    public void start(HealthControl control) {}

    @Override
    public void onActiveCheck(Endpoint endpoint, boolean passed) {
      heard.add(endpoint.server().id() + (passed ? " passed, " : " failed, ") + endpoint.health().active());
    }
  }

  @Test
  void everyInputHearsEachCheckAfterTheVerdictItProduced() {
    FakeHealthInput checker = new FakeHealthInput();
    ListeningInput listening = new ListeningInput();
    List<Server> s = HealthFakes.servers(2, 0, 0);
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(s).healthInput(checker).healthInput(listening).build()) {
      HealthControl control = checker.control();
      // As an active checker does it: on the control plane, the verdict first, then the result.
      control.execute(() -> {
        control.setActive(s.get(0), ActiveHealth.HEALTHY, "GET /health returned 200");
        control.reportActiveCheck(s.get(0), true);
      });
      control.reportActiveCheck(s.get(0), true);
      control.execute(() -> {
        control.setActive(s.get(1), ActiveHealth.UNHEALTHY, "connection refused");
        control.reportActiveCheck(s.get(1), false);
      });
      assertEquals(List.of("10.0.0.1:80 passed, HEALTHY", "10.0.0.1:80 passed, HEALTHY", "10.0.0.2:80 failed, UNHEALTHY"),
          listening.heard);
      assertEquals(2, lb.servers().size());
    }
  }
}
