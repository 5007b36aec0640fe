package dev.lbkit.algorithms;

import dev.lbkit.api.HealthState;
import dev.lbkit.api.Outcome;

/**
 * The fields of a {@link LiveEndpoint} that a pick and its report touch on every request, declared
 * in a class of their own so that they sit next to the object header: HotSpot places a
 * superclass's fields before its subclass's (and since JDK 15 packs each class's fields by size
 * after the header), so with the header they fill the object's first 40 bytes (JOL, JDK 17,
 * compressed references). That is one cache line, or two when the object starts past the 24th
 * byte of a line. Without this class, size ordering put the counters that a report reads 72
 * bytes and more into the object, behind the estimates' constants, so a pick (whose call on
 * {@code Endpoint} reads the header) and its report always touched two lines or three. At 10,000
 * servers, where endpoints do not stay in the cache, each line is a miss.
 *
 * <p>Which request touches what: every pick reads the header (the call on {@code Endpoint}); every
 * report reads {@link #lastOutcome}, {@link #consecutiveFailures} and the two flags (its claim is
 * on the selection); in-flight algorithms read and write {@link #inFlight} and read {@link #health}
 * or {@link #effectiveWeight}. The latency estimates stay in the subclass: only latency-aware
 * algorithms read them, and they follow, in the next line or two.
 *
 * <p>No behaviour lives here: {@link LiveEndpoint}, the one subclass, owns these fields and
 * documents their threading.
 */
abstract sealed class EndpointHead permits LiveEndpoint {

  volatile int inFlight;
  volatile int consecutiveFailures;
  volatile Outcome lastOutcome;
  volatile HealthState health;
  volatile double effectiveWeight;
  /** Whether anything reads latency: otherwise a report samples nothing and reads no clock. */
  final boolean latencyTracked;
  /** Whether the sink hears failures only: nothing listens to the other outcomes. */
  final boolean failuresOnly;

  EndpointHead(boolean latencyTracked, boolean failuresOnly) {
    this.latencyTracked = latencyTracked;
    this.failuresOnly = failuresOnly;
  }
}
