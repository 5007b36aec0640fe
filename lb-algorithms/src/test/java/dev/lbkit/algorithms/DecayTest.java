package dev.lbkit.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

class DecayTest {

  @Property
  void weightIsExpWithinTheStatedRelativeError(@ForAll @DoubleRange(min = 0.0, max = 31.99) @net.jqwik.api.constraints.Scale(6) double x) {
    double exact = Math.exp(-x);
    double approx = Decay.weight(x);
    assertTrue(Math.abs(approx - exact) <= 2e-6 * exact, x + ": " + approx + " vs " + exact);
  }

  @Test
  void edges() {
    assertEquals(1.0, Decay.weight(0), 0);
    assertEquals(1.0, Decay.weight(-5), 0);
    assertEquals(0.0, Decay.weight(32), 0);
    assertEquals(0.0, Decay.weight(Double.POSITIVE_INFINITY), 0);
    assertEquals(1.0, Decay.weight(Double.NaN), 0);
  }
}
