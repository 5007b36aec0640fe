package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.api.Algorithm;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Selection}'s contract, "only the first report counts", for every algorithm: one pick
 * completed three times with a server error counts one failure, and releases its in-flight count
 * once. Before 0.2.0 the algorithms that track nothing shared one selection per server, so three
 * reports counted three consecutive failures and could eject a healthy server.
 */
class ReportOnceTest {

  static List<Algorithm> all() {
    return AlgorithmContractTest.all();
  }

  @ParameterizedTest
  @MethodSource("all")
  void onePickCompletedThreeTimesCountsOneFailure(Algorithm algorithm) {
    List<Server> servers = List.of(Server.of("10.0.0.1", 80), Server.of("10.0.0.2", 80), Server.of("10.0.0.3", 80));
    try (LoadBalancer lb = LoadBalancer.builder("c").servers(servers).algorithm(algorithm).build()) {
      Selection pick = lb.pick(PickContext.ofKey("user-1"));
      pick.complete(1_000, Outcome.SERVER_ERROR);
      pick.complete(1_000, Outcome.SERVER_ERROR);
      pick.complete(1_000, Outcome.SERVER_ERROR);
      ServerView view = lb.servers().stream().filter(v -> v.server().equals(pick.server())).findFirst().orElseThrow();
      assertEquals(1, view.consecutiveFailures(), algorithm.name());
      assertEquals(0, view.inFlight(), algorithm.name());
      int failures = lb.servers().stream().mapToInt(ServerView::consecutiveFailures).sum();
      assertEquals(1, failures, algorithm.name() + ": failures counted across the cluster");
    }
  }
}
