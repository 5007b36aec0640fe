package dev.lbkit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NoAvailableServerExceptionTest {

  @Test
  void explainsInCounts() {
    NoAvailableServerException e =
        new NoAvailableServerException("user-service", 5, 0, 3, 2, 0, 0, 0, null);
    assertEquals("user-service: 0 of 5 servers pickable (3 unhealthy, 2 ejected)", e.getMessage());
    assertEquals("user-service", e.cluster());
  }

  @Test
  void countsServersAlreadyTriedByARetry() {
    NoAvailableServerException e =
        new NoAvailableServerException("orders", 3, 2, 0, 1, 0, 0, 2, null);
    assertEquals("orders: 0 of 3 servers pickable (2 already tried, 1 ejected)", e.getMessage());
  }

  @Test
  void emptyClusterAndDetail() {
    assertEquals(
        "orders: no servers",
        new NoAvailableServerException("orders", 0, 0, 0, 0, 0, 0, 0, null).getMessage());
    assertEquals(
        "orders: 1 of 4 servers pickable (3 unhealthy); panic",
        new NoAvailableServerException("orders", 4, 1, 3, 0, 0, 0, 0, "panic").getMessage());
  }

  @Test
  void derivesTheReasonFromTheCounts() {
    assertEquals(NoAvailableServerException.Reason.NO_SERVERS, NoAvailableServerException.Reason.of(0, 0, 0, 0, 0, 0, 0));
    assertEquals(NoAvailableServerException.Reason.ALL_TRIED, NoAvailableServerException.Reason.of(3, 2, 0, 1, 0, 0, 2));
    assertEquals(NoAvailableServerException.Reason.ALGORITHM_LIMIT,
        NoAvailableServerException.Reason.of(3, 3, 0, 0, 0, 0, 1));
    assertEquals(NoAvailableServerException.Reason.ALL_DRAINING, NoAvailableServerException.Reason.of(2, 0, 0, 0, 2, 0, 0));
    assertEquals(NoAvailableServerException.Reason.ALL_EJECTED, NoAvailableServerException.Reason.of(3, 0, 0, 2, 1, 0, 0));
    assertEquals(NoAvailableServerException.Reason.ALL_UNHEALTHY, NoAvailableServerException.Reason.of(3, 0, 1, 2, 0, 0, 0));
    assertEquals(NoAvailableServerException.Reason.ALL_UNHEALTHY, NoAvailableServerException.Reason.of(3, 0, 0, 0, 0, 3, 0));
  }

  @Test
  void keepsTheReasonItWasGiven() {
    NoAvailableServerException e = new NoAvailableServerException(
        NoAvailableServerException.Reason.PANIC_FAIL_FAST, "orders", 4, 1, 3, 0, 0, 0, 0, "panic");
    assertEquals(NoAvailableServerException.Reason.PANIC_FAIL_FAST, e.reason());
    assertEquals("orders: 1 of 4 servers pickable (3 unhealthy); panic", e.getMessage());
    assertEquals(NoAvailableServerException.Reason.ALL_UNHEALTHY,
        new NoAvailableServerException("orders", 4, 0, 4, 0, 0, 0, 0, null).reason());
  }
}
