package dev.lbkit.simulator.scenario;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lbkit.simulator.fleet.FleetConfig;
import dev.lbkit.simulator.fleet.Variant;
import dev.lbkit.simulator.fleet.View;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A scenario read from a YAML file: a fleet and the variants to run over it ({@code kind:
 * fleet}, the default), or a balls-into-bins comparison ({@code kind: balls-into-bins}).
 * Immutable.
 */
public final class Scenario {

  /** What a scenario runs. */
  public enum Kind {
    /** A fleet simulation per variant. */
    FLEET,
    /** Balls into bins, lbkit against the textbook process. */
    BALLS_INTO_BINS
  }

  /** One size of balls into bins and its number of runs. */
  public record BinsSize(int n, int runs) {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .registerModule(new SimpleModule("durations").addDeserializer(Duration.class, new Durations.Deserializer()))
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final ScenarioSpec spec;
  private final String name;
  private final String title;
  private final String description;
  private final Kind kind;
  private final FleetConfig fleet;
  private final List<Variant> variants;
  private final List<Integer> binsChoices;
  private final List<BinsSize> binsSizes;
  private final long seed;
  private final List<String> findings;

  private Scenario(ScenarioSpec spec, FleetConfig fleet, List<Variant> variants, Kind kind) {
    this.spec = spec;
    this.name = spec.name();
    this.title = spec.title() != null ? spec.title() : spec.name();
    this.description = spec.description() != null ? spec.description().trim() : "";
    this.kind = kind;
    this.fleet = fleet;
    this.variants = List.copyOf(variants);
    this.seed = spec.seed() != null ? spec.seed() : 1L;
    this.findings = spec.findings() != null ? List.copyOf(spec.findings()) : List.of();
    if (kind == Kind.BALLS_INTO_BINS) {
      ScenarioSpec.Bins bins = require("bins", spec.bins());
      binsChoices = List.copyOf(require("bins.choices", bins.choices()));
      List<BinsSize> sizes = new ArrayList<>();
      for (ScenarioSpec.Size s : require("bins.sizes", bins.sizes())) {
        sizes.add(new BinsSize(require("bins.sizes.n", s.n()), require("bins.sizes.runs", s.runs())));
      }
      binsSizes = List.copyOf(sizes);
    } else {
      binsChoices = List.of();
      binsSizes = List.of();
    }
  }

  /**
   * Reads the scenario file at {@code path}.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException naming the file and what is wrong in it
   */
  public static Scenario load(Path path) throws IOException {
    ScenarioSpec spec;
    try {
      spec = YAML.readValue(Files.readString(path), ScenarioSpec.class);
    } catch (JsonMappingException e) {
      throw new IllegalArgumentException(path + ": " + e.getOriginalMessage() + " at " + e.getPathReference(), e);
    }
    try {
      return of(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
  }

  /** Reads a scenario from YAML text. */
  public static Scenario parse(String yaml) throws IOException {
    return of(YAML.readValue(yaml, ScenarioSpec.class));
  }

  static Scenario of(ScenarioSpec spec) {
    if (spec.name() == null || !spec.name().matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("name must be lower-case words joined by '-', was " + spec.name());
    }
    String kindName = spec.kind() == null ? "fleet" : spec.kind();
    Kind kind = switch (kindName) {
      case "fleet" -> Kind.FLEET;
      case "balls-into-bins" -> Kind.BALLS_INTO_BINS;
      default -> throw new IllegalArgumentException("kind must be fleet or balls-into-bins, was '" + kindName + "'");
    };
    if (kind == Kind.BALLS_INTO_BINS) {
      return new Scenario(spec, null, List.of(), kind);
    }
    return new Scenario(spec, FleetSpecs.fleet(spec), FleetSpecs.variants(spec), kind);
  }

  /** How the report names a view: {@code own}, {@code reported}, {@code board live}, {@code board 100ms}. */
  public static String label(View view) {
    return switch (view.kind()) {
      case OWN -> "own";
      case REPORTED -> "reported";
      case BOARD -> view.refreshNanos() == 0 ? "board live" : "board " + Durations.format(Duration.ofNanos(view.refreshNanos()));
    };
  }

  private static <T> T require(String field, T value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must be set, was missing");
    }
    return value;
  }

  /**
   * This scenario with {@code requests} requests in total and no duration: the same fleet and
   * failures at another scale, for a quick look or a test.
   */
  public Scenario withRequests(long requests) {
    return of(spec.withRequests(requests));
  }

  /** This balls-into-bins scenario without its sizes above {@code maxBins}. */
  public Scenario withMaxBins(int maxBins) {
    return of(spec.withMaxBins(maxBins));
  }

  /** The scenario's name, also the report's file name. */
  public String name() {
    return name;
  }

  /** The report's title. */
  public String title() {
    return title;
  }

  /** What the scenario shows, in a few sentences. */
  public String description() {
    return description;
  }

  /** What the scenario runs. */
  public Kind kind() {
    return kind;
  }

  /** The fleet, for {@link Kind#FLEET}; null otherwise. */
  public FleetConfig fleet() {
    return fleet;
  }

  /** The variants, for {@link Kind#FLEET}. */
  public List<Variant> variants() {
    return variants;
  }

  /** The values of d, for {@link Kind#BALLS_INTO_BINS}. */
  public List<Integer> binsChoices() {
    return binsChoices;
  }

  /** The sizes, for {@link Kind#BALLS_INTO_BINS}. */
  public List<BinsSize> binsSizes() {
    return binsSizes;
  }

  /** The seed. */
  public long seed() {
    return seed;
  }

  /** Findings the scenario file states, shown in the report under the table. */
  public List<String> findings() {
    return findings;
  }

  @Override
  public String toString() {
    return "Scenario{" + name + ", " + kind + (fleet != null ? ", " + fleet : "") + ", " + variants.size() + " variants}";
  }
}
