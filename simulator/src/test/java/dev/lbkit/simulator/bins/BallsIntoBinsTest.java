package dev.lbkit.simulator.bins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.simulator.engine.SimRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * lbkit's random, power-of-two and power-of-three pickers place n balls into n bins with the
 * same mean maximum load as the textbook greedy process, within three standard errors, at a
 * size that runs in seconds.
 */
class BallsIntoBinsTest {

  @ParameterizedTest(name = "d = {0}, n = {1}")
  @CsvSource({"1, 1000, 400", "2, 1000, 400", "3, 1000, 400", "1, 10000, 60", "2, 10000, 60", "3, 10000, 60"})
  void lbkitMatchesTheTextbookProcess(int d, int n, int runs) {
    BallsIntoBins.Row row = BallsIntoBins.compare(d, n, runs, 20_261_127L + d);
    assertTrue(row.lbkit().agreesWith(row.textbook(), 3.0),
        "d=" + d + ", n=" + n + ": lbkit " + row.lbkit() + ", textbook " + row.textbook());
  }

  @Test
  void twoChoicesCutTheMaximumLoad() {
    BallsIntoBins.Row one = BallsIntoBins.compare(1, 10_000, 30, 1);
    BallsIntoBins.Row two = BallsIntoBins.compare(2, 10_000, 30, 1);
    BallsIntoBins.Row three = BallsIntoBins.compare(3, 10_000, 30, 1);
    assertTrue(one.lbkit().mean() > two.lbkit().mean() + 2, one + " vs " + two);
    assertTrue(two.lbkit().mean() > three.lbkit().mean(), two + " vs " + three);
  }

  @Test
  void eachBallLandsInExactlyOneBin() {
    BallsIntoBins.Estimate e = BallsIntoBins.lbkit(BallsIntoBins.algorithm(2), 1, 3, new SimRandom(1));
    assertEquals(1.0, e.mean());
    assertEquals(0.0, e.standardError());
  }
}
