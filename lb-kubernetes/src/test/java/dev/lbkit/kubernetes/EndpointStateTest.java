package dev.lbkit.kubernetes;

import static dev.lbkit.kubernetes.EndpointState.DRAINING;
import static dev.lbkit.kubernetes.EndpointState.EXCLUDED;
import static dev.lbkit.kubernetes.EndpointState.PICKABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every one of the 27 combinations of ready, serving and terminating (true, false, absent). */
class EndpointStateTest {

  /** ready, serving, terminating, expected state: written out, not derived from the code. */
  private static final List<Object[]> TABLE = Arrays.asList(
      new Object[] {true, true, false, PICKABLE},
      new Object[] {true, false, false, PICKABLE},     // publishNotReadyAddresses: ready overrides
      new Object[] {true, null, false, PICKABLE},
      new Object[] {true, true, null, PICKABLE},
      new Object[] {true, false, null, PICKABLE},
      new Object[] {true, null, null, PICKABLE},
      new Object[] {null, true, false, PICKABLE},      // absent ready counts as ready
      new Object[] {null, false, false, PICKABLE},
      new Object[] {null, null, false, PICKABLE},
      new Object[] {null, true, null, PICKABLE},
      new Object[] {null, false, null, PICKABLE},
      new Object[] {null, null, null, PICKABLE},
      new Object[] {false, true, false, EXCLUDED},     // serving but not ready: no new picks, not draining
      new Object[] {false, false, false, EXCLUDED},
      new Object[] {false, null, false, EXCLUDED},
      new Object[] {false, true, null, EXCLUDED},
      new Object[] {false, false, null, EXCLUDED},
      new Object[] {false, null, null, EXCLUDED},
      new Object[] {true, true, true, DRAINING},       // a terminating endpoint is never pickable
      new Object[] {false, true, true, DRAINING},
      new Object[] {null, true, true, DRAINING},
      new Object[] {true, null, true, DRAINING},       // absent serving counts as serving
      new Object[] {false, null, true, DRAINING},
      new Object[] {null, null, true, DRAINING},
      new Object[] {true, false, true, EXCLUDED},      // terminating and no longer serving
      new Object[] {false, false, true, EXCLUDED},
      new Object[] {null, false, true, EXCLUDED});

  @Test
  void everyCombinationOfConditionsHasTheDocumentedState() {
    assertEquals(27, TABLE.size());
    assertEquals(27, TABLE.stream().map(r -> Arrays.asList(r[0], r[1], r[2])).distinct().count());
    for (Object[] row : TABLE) {
      EndpointConditions conditions = new EndpointConditions((Boolean) row[0], (Boolean) row[1], (Boolean) row[2]);
      assertEquals(row[3], EndpointState.of(conditions),
          "ready=" + row[0] + " serving=" + row[1] + " terminating=" + row[2]);
    }
  }

  @Test
  void anEndpointWithoutConditionsIsPickable() {
    assertEquals(PICKABLE, EndpointState.of(null));
  }
}
