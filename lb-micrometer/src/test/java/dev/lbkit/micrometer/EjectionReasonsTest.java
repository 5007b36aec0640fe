package dev.lbkit.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.api.HealthState;
import org.junit.jupiter.api.Test;

/** Ejection reason texts of lb-health's inputs map to a fixed set of tag values. */
class EjectionReasonsTest {

  @Test
  void sortsLbHealthReasonTextsIntoKinds() {
    assertEquals("consecutive_failures", EjectionReasons.kind("5 consecutive failures (last: SERVER_ERROR)"));
    assertEquals("failure_percentage", EjectionReasons.kind("90% failures over 10s (45 of 50 requests)"));
    assertEquals("circuit_breaker", EjectionReasons.kind("circuit breaker open (failure rate reached 50%)"));
    assertEquals("success_rate", EjectionReasons.kind("success rate 40% below the cluster's 95%"));
    assertEquals("other", EjectionReasons.kind("a custom input's own words"));
    assertEquals("other", EjectionReasons.kind(null));
  }

  @Test
  void readsTheReasonOfAnEjectedHealthState() {
    HealthState ejected = HealthState.INITIAL.withEjection("3 consecutive failures (last: TIMEOUT)");
    assertEquals("consecutive_failures", EjectionReasons.ofStateReason(ejected.reason()));
  }

  @Test
  void retryReasonsBecomeTagValues() {
    assertEquals("status_503", ClientMeters.normalize("status 503"));
    assertEquals("not_sent_connect_failure", ClientMeters.normalize("not sent (CONNECT_FAILURE)"));
    assertEquals("io_error", ClientMeters.normalize("IO_ERROR"));
  }
}
