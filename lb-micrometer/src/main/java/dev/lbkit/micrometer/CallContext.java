package dev.lbkit.micrometer;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import java.util.function.Supplier;
import okhttp3.Request;

/**
 * The context of one call's observation ({@link CallObservations#CALL}), whose key values are
 * made from what the call's events said the first time anything reads or changes them, as
 * {@link AttemptContext} does for an attempt (and for the same reason: each key value added is a
 * concurrent-map insert).
 *
 * <p>Key values: {@code http.request.method}; once routed, {@code cluster}, {@code
 * server.address} and (high cardinality) {@code lbkit.route}; when refused, {@code
 * lbkit.rejection}; at the end, {@code http.response.status_code} and {@code error.type}.
 *
 * <p>Threading: the calling thread sends the events; a handler may read from another thread.
 * Each event's values are set, and added if already made, under this object's lock.
 */
final class CallContext extends Observation.Context implements Supplier<CallContext> {
  private final Request request;
  /** Guarded by this; written once, read without the lock only to skip it. */
  private volatile boolean made;
  private String cluster;
  private String serverAddress;
  private String route;
  private String rejection;
  private String statusCode;
  private String errorType;

  CallContext(Request request) {
    this.request = request;
  }

  /** This context, as the supplier {@code Observation.createNotStarted} takes. */
  @Override
  public CallContext get() {
    return this;
  }

  /** Routing named the call's cluster ({@code null}: none) and why. */
  synchronized void routed(String clusterName, String reason) {
    cluster = clusterName == null ? ClientMeters.NONE : clusterName;
    // server.address is the logical host only when a cluster balances it; else a request value.
    serverAddress = clusterName == null ? ServerTags.OTHER : request.url().host();
    route = reason;
    if (made) {
      addRoute();
    }
  }

  /** lbkit refused the call. */
  synchronized void rejected(String message) {
    rejection = message;
    if (made) {
      super.addHighCardinalityKeyValue(KeyValue.of("lbkit.rejection", rejection));
    }
  }

  /** The call's end: its status code tag value and OpenTelemetry's {@code error.type}. */
  synchronized void ended(String status, String error) {
    statusCode = status;
    errorType = error;
    if (made) {
      addEnd();
    }
  }

  private void addRoute() {
    super.addLowCardinalityKeyValue(KeyValue.of("cluster", cluster));
    super.addLowCardinalityKeyValue(KeyValue.of("server.address", serverAddress));
    super.addHighCardinalityKeyValue(KeyValue.of("lbkit.route", route));
  }

  private void addEnd() {
    super.addLowCardinalityKeyValue(KeyValue.of("http.response.status_code", statusCode));
    super.addLowCardinalityKeyValue(KeyValue.of("error.type", errorType));
  }

  private void make() {
    if (!made) {
      makeOnce();
    }
  }

  private synchronized void makeOnce() {
    if (made) {
      return;
    }
    super.addLowCardinalityKeyValue(KeyValue.of("http.request.method", RequestDurationTimers.methodTag(request.method())));
    if (cluster != null) {
      addRoute();
    }
    if (rejection != null) {
      super.addHighCardinalityKeyValue(KeyValue.of("lbkit.rejection", rejection));
    }
    if (statusCode != null) {
      addEnd();
    }
    made = true;
  }

  @Override
  public String getContextualName() {
    String name = super.getContextualName();
    if (name == null) {
      name = request.method() + " " + request.url().host();
      setContextualName(name);
    }
    return name;
  }

  // Every accessor and mutator of the key values makes them first.

  @Override
  public Observation.Context addLowCardinalityKeyValue(KeyValue keyValue) {
    make();
    return super.addLowCardinalityKeyValue(keyValue);
  }

  @Override
  public Observation.Context addHighCardinalityKeyValue(KeyValue keyValue) {
    make();
    return super.addHighCardinalityKeyValue(keyValue);
  }

  @Override
  public Observation.Context removeLowCardinalityKeyValue(String keyName) {
    make();
    return super.removeLowCardinalityKeyValue(keyName);
  }

  @Override
  public Observation.Context removeHighCardinalityKeyValue(String keyName) {
    make();
    return super.removeHighCardinalityKeyValue(keyName);
  }

  @Override
  public Observation.Context addLowCardinalityKeyValues(KeyValues keyValues) {
    make();
    return super.addLowCardinalityKeyValues(keyValues);
  }

  @Override
  public Observation.Context addHighCardinalityKeyValues(KeyValues keyValues) {
    make();
    return super.addHighCardinalityKeyValues(keyValues);
  }

  @Override
  public Observation.Context removeLowCardinalityKeyValues(String... keyNames) {
    make();
    return super.removeLowCardinalityKeyValues(keyNames);
  }

  @Override
  public Observation.Context removeHighCardinalityKeyValues(String... keyNames) {
    make();
    return super.removeHighCardinalityKeyValues(keyNames);
  }

  @Override
  public KeyValues getLowCardinalityKeyValues() {
    make();
    return super.getLowCardinalityKeyValues();
  }

  @Override
  public KeyValues getHighCardinalityKeyValues() {
    make();
    return super.getHighCardinalityKeyValues();
  }

  @Override
  public KeyValue getLowCardinalityKeyValue(String key) {
    make();
    return super.getLowCardinalityKeyValue(key);
  }

  @Override
  public KeyValue getHighCardinalityKeyValue(String key) {
    make();
    return super.getHighCardinalityKeyValue(key);
  }
}
