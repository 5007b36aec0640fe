package dev.lbkit.simulator.bins;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.api.Algorithm;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Server;
import dev.lbkit.simulator.engine.SimRandom;
import dev.lbkit.simulator.fleet.SimAlgorithmContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Balls into bins: n balls thrown one at a time into n bins, none ever removed, each ball into
 * the least loaded of d bins chosen at random (d = 1: a uniformly random bin). Measures the mean
 * maximum load of lbkit's real pickers (random, power of two choices, power of d choices) fed
 * with {@link BinEndpoint}s, next to the textbook greedy process run in the same program.
 *
 * <p><b>Theory</b> (Azar, Broder, Karlin, Upfal, "Balanced allocations", 1999): with high
 * probability the maximum load is {@code (1 + o(1)) ln n / ln ln n} for d = 1 and {@code ln ln n
 * / ln d + O(1)} for d ≥ 2. The O(1) matters at these sizes, so the textbook process, not the
 * formula, is what lbkit must match.
 *
 * <p><b>The textbook process</b> draws d distinct bins uniformly at random (a repeated draw is
 * drawn again) and puts the ball in the first drawn of the least loaded, as lbkit's picker does.
 * Azar et al. draw with replacement; the bounds are the same, but a repeat (probability about
 * d² / 2n per ball) leaves the ball fewer choices, which raises the mean maximum by a few
 * thousandths at n = 1,000: measurable over thousands of runs (2.8 standard errors at 4,000
 * runs for d = 2), so the comparison uses the process lbkit implements.
 */
public final class BallsIntoBins {

  private BallsIntoBins() {}

  /**
   * The mean maximum load over runs, and its standard error.
   *
   * @param mean the mean of the per-run maximum loads
   * @param standardError the standard deviation of the per-run maxima over √runs
   * @param runs the number of runs
   */
  public record Estimate(double mean, double standardError, int runs) {

    static Estimate of(int[] maxima) {
      double sum = 0;
      for (int m : maxima) {
        sum += m;
      }
      double mean = sum / maxima.length;
      double squares = 0;
      for (int m : maxima) {
        squares += (m - mean) * (m - mean);
      }
      double sd = maxima.length > 1 ? Math.sqrt(squares / (maxima.length - 1)) : 0;
      return new Estimate(mean, sd / Math.sqrt(maxima.length), maxima.length);
    }

    /**
     * Whether {@code other} lies within {@code k} combined standard errors of this estimate;
     * two estimates without spread must be equal.
     */
    public boolean agreesWith(Estimate other, double k) {
      double se = Math.hypot(standardError, other.standardError);
      return Math.abs(mean - other.mean) <= k * se;
    }
  }

  /**
   * One row of the comparison.
   *
   * @param choices d
   * @param bins n, also the number of balls
   * @param lbkit lbkit's picker
   * @param textbook the textbook greedy process
   * @param theory the leading term of the bound: ln n / ln ln n (d = 1), ln ln n / ln d
   */
  public record Row(int choices, int bins, Estimate lbkit, Estimate textbook, double theory) {}

  /** The lbkit algorithm for d choices: uniform random for 1, power of d choices otherwise. */
  public static Algorithm algorithm(int choices) {
    return choices == 1 ? Algorithms.random() : Algorithms.powerOfTwoChoices().choices(choices).build();
  }

  /** The leading term of the maximum load's bound; see the class comment. */
  public static double theory(int choices, int n) {
    double lnln = Math.log(Math.log(n));
    return choices == 1 ? Math.log(n) / lnln : lnln / Math.log(choices);
  }

  /** Runs both processes {@code runs} times each for d = {@code choices} and n = {@code n}. */
  public static Row compare(int choices, int n, int runs, long seed) {
    SimRandom root = new SimRandom(seed);
    Estimate lbkit = lbkit(algorithm(choices), n, runs, root.split());
    Estimate textbook = textbook(choices, n, runs, root.split());
    return new Row(choices, n, lbkit, textbook, theory(choices, n));
  }

  /** The maximum load of lbkit's picker, over {@code runs} runs of n balls into n bins. */
  public static Estimate lbkit(Algorithm algorithm, int n, int runs, SimRandom random) {
    List<BinEndpoint> bins = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      bins.add(new BinEndpoint(Server.of(host(i), 8080)));
    }
    List<Endpoint> endpoints = List.copyOf(bins);
    int[] maxima = new int[runs];
    for (int run = 0; run < runs; run++) {
      for (BinEndpoint b : bins) {
        b.balls = 0;
      }
      Picker picker = algorithm.newPicker(endpoints, new SimAlgorithmContext("bins", () -> 0L, random.split(), n));
      for (int ball = 0; ball < n; ball++) {
        picker.pick();
      }
      int max = 0;
      for (BinEndpoint b : bins) {
        max = Math.max(max, b.balls);
      }
      maxima[run] = max;
    }
    return Estimate.of(maxima);
  }

  /** The textbook greedy process with {@code choices} distinct uniform draws per ball. */
  public static Estimate textbook(int choices, int n, int runs, SimRandom random) {
    int d = Math.min(choices, n);
    int[] load = new int[n];
    int[] drawn = new int[d];
    int[] maxima = new int[runs];
    for (int run = 0; run < runs; run++) {
      Arrays.fill(load, 0);
      int max = 0;
      for (int ball = 0; ball < n; ball++) {
        int best = -1;
        for (int j = 0; j < d; j++) {
          int c = distinctDraw(random, n, drawn, j);
          if (best < 0 || load[c] < load[best]) {
            best = c;
          }
        }
        max = Math.max(max, ++load[best]);
      }
      maxima[run] = max;
    }
    return Estimate.of(maxima);
  }

  /** Draws a bin not among {@code drawn[0, j)}, records it as {@code drawn[j]} and returns it. */
  private static int distinctDraw(SimRandom random, int n, int[] drawn, int j) {
    while (true) {
      int c = random.nextInt(n);
      boolean repeat = false;
      for (int k = 0; k < j && !repeat; k++) {
        repeat = drawn[k] == c;
      }
      if (!repeat) {
        drawn[j] = c;
        return c;
      }
    }
  }

  /** A distinct host per bin, up to 2^24 bins: a name under the reserved {@code .test} domain. */
  private static String host(int i) {
    return "bin-" + i + ".bins.test";
  }
}
