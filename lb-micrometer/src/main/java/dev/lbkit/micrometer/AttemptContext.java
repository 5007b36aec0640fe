package dev.lbkit.micrometer;

import dev.lbkit.api.Outcome;
import dev.lbkit.okhttp.LbAttempt;
import dev.lbkit.okhttp.LbEventListener.HeaderSetter;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.transport.RequestReplySenderContext;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The context of one attempt's observation ({@link CallObservations#ATTEMPT}): a sender context
 * over the attempt's headers, whose key values are made from the {@link LbAttempt} the first time
 * anything reads or changes them (a handler, a filter, a convention), not when the attempt starts.
 *
 * <p>Why: adding a key value to a Micrometer context is a concurrent-map insert, and an attempt
 * has eleven of them. A handler that reads none (or an observation nobody reads) no longer pays
 * for them, and one that does reads exactly what {@link CallObservations} documents: every
 * accessor and mutator of the key values makes them first, so a filter that removes or replaces
 * one sees it. The contextual name ({@code GET 10.0.0.2:8080}) is made on first read the same
 * way.
 *
 * <p>Threading: the calling thread starts and ends the attempt; a handler may read from another
 * thread. Making the key values and adding the end's happen under this object's lock, so a
 * reader sees either none of the end's values or all of them.
 */
final class AttemptContext extends RequestReplySenderContext<HeaderSetter, Integer>
    implements Supplier<AttemptContext> {
  private final LbAttempt attempt;
  /** The server tags of a cluster: looked up only when the key values are made. */
  private final Function<String, ServerTags> tagsOf;
  /** Guarded by this; written once, read without the lock only to skip it. */
  private volatile boolean made;
  private String outcome;
  private String statusCode;

  AttemptContext(LbAttempt attempt, HeaderSetter headers, Function<String, ServerTags> tagsOf) {
    super((carrier, key, value) -> carrier.set(key, value));
    this.attempt = attempt;
    this.tagsOf = tagsOf;
    setCarrier(headers);
    setRemoteServiceName(attempt.cluster());
    setRemoteServiceAddress(attempt.server().id());
  }

  /** This context, as the supplier {@code Observation.createNotStarted} takes. */
  @Override
  public AttemptContext get() {
    return this;
  }

  /** The attempt's end: its outcome and status code ({@code -1}: none), as key values. */
  synchronized void ended(Outcome result, int status) {
    outcome = TagValues.outcome(result);
    statusCode = status < 0 ? ClientMeters.NONE : TagValues.status(status);
    if (status >= 0) {
      setResponse(status);
    }
    if (made) {
      super.addLowCardinalityKeyValue(KeyValue.of("outcome", outcome));
      super.addLowCardinalityKeyValue(KeyValue.of("http.response.status_code", statusCode));
    }
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
    String reason = attempt.retryReason();
    super.addLowCardinalityKeyValue(KeyValue.of("cluster", attempt.cluster()));
    super.addLowCardinalityKeyValue(KeyValue.of("server", tagsOf.apply(attempt.cluster()).tag(attempt.server().id())));
    super.addLowCardinalityKeyValue(KeyValue.of("algorithm", attempt.algorithm()));
    super.addLowCardinalityKeyValue(KeyValue.of("attempt", TagValues.attempt(attempt.number())));
    super.addLowCardinalityKeyValue(
        KeyValue.of("retry.reason", reason == null ? ClientMeters.NONE : ClientMeters.normalize(reason)));
    super.addLowCardinalityKeyValue(
        KeyValue.of("http.request.method", RequestDurationTimers.methodTag(attempt.request().method())));
    super.addHighCardinalityKeyValue(KeyValue.of("network.peer.address", attempt.server().host()));
    super.addHighCardinalityKeyValue(KeyValue.of("network.peer.port", Integer.toString(attempt.server().port())));
    super.addHighCardinalityKeyValue(KeyValue.of("lbkit.decision", attempt.decision()));
    if (outcome != null) {
      super.addLowCardinalityKeyValue(KeyValue.of("outcome", outcome));
      super.addLowCardinalityKeyValue(KeyValue.of("http.response.status_code", statusCode));
    }
    made = true;
  }

  @Override
  public String getContextualName() {
    String name = super.getContextualName();
    if (name == null) {
      name = attempt.request().method() + " " + attempt.server().id();
      setContextualName(name);
    }
    return name;
  }

  // Every accessor and mutator of the key values makes them first. Micrometer's plural forms
  // (addLowCardinalityKeyValues and the like) call these singular ones.

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
