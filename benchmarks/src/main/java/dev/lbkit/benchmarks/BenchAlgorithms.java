package dev.lbkit.benchmarks;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.Algorithms.LatencyEstimate;
import dev.lbkit.api.Algorithm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The algorithms every benchmark and harness runs, by the name used in JMH's {@code -p
 * algorithm=...} and on the harness command lines.
 *
 * <p>One line per algorithm in {@link #registry()}; the benchmarks are written against {@link
 * Algorithm} only, so a new algorithm needs nothing else. {@code benchmarks/run.sh} passes every
 * registered name to JMH ({@code java -cp target/benchmarks.jar
 * dev.lbkit.benchmarks.BenchAlgorithms} prints them comma-separated), so the {@code @Param}
 * defaults in the benchmark classes are only what a bare JMH run uses.
 *
 * <p>Hash-based algorithms are registered as {@link Keys#HASHED}: their picks carry a hash key
 * from a fixed set of 1,024 keys, as a consistent-hashing client would. The others pick with
 * {@code PickContext.EMPTY}.
 */
public final class BenchAlgorithms {

  /** Whether an algorithm's picks carry a hash key. */
  public enum Keys {
    /** Picks use {@code PickContext.EMPTY}. */
    NONE,
    /** Picks use one of 1,024 fixed hash keys, in turn. */
    HASHED
  }

  /** One registered algorithm. */
  public record Entry(String name, Supplier<Algorithm> factory, Keys keys) {

    /** Builds a fresh algorithm instance. */
    public Algorithm create() {
      return factory.get();
    }
  }

  private static final Map<String, Entry> BY_NAME = registry();

  private BenchAlgorithms() {}

  private static Map<String, Entry> registry() {
    Map<String, Entry> m = new LinkedHashMap<>();
    // One line per algorithm; each key is the algorithm's own name() (BenchAlgorithmsTest checks it).
    add(m, "round-robin", Algorithms::roundRobin, Keys.NONE);
    add(m, "per-thread-round-robin", Algorithms::perThreadRoundRobin, Keys.NONE);
    add(m, "smooth-weighted-round-robin", Algorithms::smoothWeightedRoundRobin, Keys.NONE);
    add(m, "random", Algorithms::random, Keys.NONE);
    add(m, "weighted-random", Algorithms::weightedRandom, Keys.NONE);
    add(m, "least-connections", Algorithms::leastConnections, Keys.NONE);
    add(m, "weighted-least-connections", Algorithms::weightedLeastConnections, Keys.NONE);
    add(m, "power-of-two-choices", () -> Algorithms.powerOfTwoChoices().build(), Keys.NONE);
    add(m, "least-response-time-peak-ewma",
        () -> Algorithms.leastResponseTime().estimate(LatencyEstimate.PEAK_EWMA).fullScan().build(), Keys.NONE);
    add(m, "least-response-time-ewma",
        () -> Algorithms.leastResponseTime().estimate(LatencyEstimate.EWMA).fullScan().build(), Keys.NONE);
    // Peak EWMA is the default estimate: this is Algorithms.leastResponseTime().choices(2).build().
    add(m, "least-response-time-peak-ewma-p2c",
        () -> Algorithms.leastResponseTime().estimate(LatencyEstimate.PEAK_EWMA).choices(2).build(), Keys.NONE);
    add(m, "least-response-time-ewma-p2c",
        () -> Algorithms.leastResponseTime().estimate(LatencyEstimate.EWMA).choices(2).build(), Keys.NONE);
    add(m, "ring-hash", () -> Algorithms.ringHash().build(), Keys.HASHED);
    add(m, "maglev", () -> Algorithms.maglev().tableSize(Algorithms.DEFAULT_MAGLEV_TABLE_SIZE).build(), Keys.HASHED);
    add(m, "bounded-load-hash", () -> Algorithms.boundedLoadHash().build(), Keys.HASHED);
    add(m, "rendezvous", Algorithms::rendezvous, Keys.HASHED);
    return Collections.unmodifiableMap(m);
  }

  private static void add(Map<String, Entry> m, String name, Supplier<Algorithm> factory, Keys keys) {
    m.put(name, new Entry(name, factory, keys));
  }

  /**
   * Returns the registered algorithm called {@code name}.
   *
   * @throws IllegalArgumentException naming the unknown value and the known ones
   */
  public static Entry byName(String name) {
    Entry e = BY_NAME.get(name);
    if (e == null) {
      throw new IllegalArgumentException("algorithm must be one of " + names() + ", was '" + name + "'");
    }
    return e;
  }

  /** Every registered name, in registration order. */
  public static List<String> names() {
    return new ArrayList<>(BY_NAME.keySet());
  }

  /**
   * Resolves a command-line selection: {@code all}, or comma-separated names.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static List<Entry> select(String spec) {
    List<Entry> out = new ArrayList<>();
    if (spec == null || spec.isBlank() || spec.equals("all")) {
      out.addAll(BY_NAME.values());
      return out;
    }
    for (String name : spec.split(",")) {
      out.add(byName(name.trim()));
    }
    return out;
  }

  /** Prints every registered name, comma-separated, for {@code run.sh}. */
  public static void main(String[] args) {
    System.out.println(String.join(",", names()));
  }
}
