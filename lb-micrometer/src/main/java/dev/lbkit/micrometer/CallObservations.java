package dev.lbkit.micrometer;

import dev.lbkit.api.Outcome;
import dev.lbkit.okhttp.LbAttempt;
import dev.lbkit.okhttp.LbEventListener;
import dev.lbkit.okhttp.LbException;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.function.Function;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Tracing through Micrometer's Observation API: one observation per call ({@value #CALL}) and,
 * as its children, one per attempt ({@value #ATTEMPT}), whose context is a sender context over
 * the attempt's headers, so a tracing bridge (OpenTelemetry, Brave) propagates its trace context
 * into each attempt's request.
 *
 * <p><b>What an attempt carries.</b> Low-cardinality key values (safe as metric tags): {@code
 * cluster}, {@code server} (capped, as in the meters), {@code algorithm}, {@code attempt}, {@code
 * retry.reason} ({@code none} on the first attempt), {@code http.request.method}, and at its end
 * {@code outcome} and {@code http.response.status_code}. High-cardinality ones (span attributes
 * only): {@code network.peer.address} and {@code network.peer.port} of the chosen server, and
 * {@code lbkit.decision}, the pick in words, such as {@code picked 10.0.0.2:8080 by power-of-two-choices;
 * avoided 10.0.0.1:8080 (tried)}: a trace answers "why this server?".
 *
 * <p><b>Cost.</b> An attempt's key values, eleven of them, are made only when something reads
 * them: see {@link AttemptContext}. A call's few are set as its events come.
 *
 * <p>Threading: events of one call come from one thread, in order ({@link LbEventListener}'s
 * contract); calls run concurrently on many. The observations in flight are kept per thread
 * ({@link InFlight}).
 */
final class CallObservations implements LbEventListener {
  /** The name of a call's observation. */
  static final String CALL = "lbkit.client.call";
  /** The name of an attempt's observation. */
  static final String ATTEMPT = "lbkit.client.attempt";

  private final ObservationRegistry registry;
  private final Function<String, ServerTags> tagsOf;
  /** The observations in flight on each thread: see {@link InFlight} for why not a map. */
  private final ThreadLocal<InFlight> inFlight = ThreadLocal.withInitial(InFlight::new);

  CallObservations(ObservationRegistry registry, Function<String, ServerTags> tagsOf) {
    this.registry = registry;
    this.tagsOf = tagsOf;
  }

  @Override
  public void callStarted(Call call, Request request) {
    if (registry.isNoop()) {
      return;
    }
    Observation o = Observation.createNotStarted(CALL, registry)
        .contextualName(request.method() + " " + request.url().host())
        .lowCardinalityKeyValue("http.request.method", RequestDurationTimers.methodTag(request.method()))
        .start();
    if (!o.isNoop()) {
      inFlight.get().push(call, o);
    }
  }

  @Override
  public void routeDecided(Call call, Request request, String cluster, String reason) {
    Observation o = inFlight.get().call(call);
    if (o != null) {
      // server.address is the logical host only when a cluster balances it; else a request value.
      o.lowCardinalityKeyValue("cluster", cluster == null ? ClientMeters.NONE : cluster)
          .lowCardinalityKeyValue("server.address", cluster == null ? ServerTags.OTHER : request.url().host())
          .highCardinalityKeyValue("lbkit.route", reason);
    }
  }

  @Override
  public void attemptSending(LbAttempt attempt, HeaderSetter headers) {
    // A registry without handlers records nothing: skip the context. Checked per attempt, as
    // handlers may be added to the registry later.
    if (registry.isNoop()) {
      return;
    }
    InFlight calls = inFlight.get();
    AttemptContext context = new AttemptContext(attempt, headers, tagsOf);
    Observation o = Observation.createNotStarted(ATTEMPT, context, registry)
        .parentObservation(calls.call(attempt.call()))
        .start();
    if (!o.isNoop() && !calls.startAttempt(attempt, o)) {
      // Its call started while the registry had no handler: keep the attempt, under no call.
      calls.push(attempt.call(), null);
      calls.startAttempt(attempt, o);
    }
  }

  @Override
  public void attemptEnded(LbAttempt attempt, Outcome outcome, int statusCode, Throwable failure, long latencyNanos) {
    Observation o = inFlight.get().endAttempt(attempt);
    if (o == null) {
      return;
    }
    ((AttemptContext) o.getContext()).ended(outcome, statusCode);
    if (failure != null) {
      o.error(failure);
    }
    o.stop();
  }

  @Override
  public void retryScheduled(Call call, String cluster, int nextAttempt, long backoffNanos, String reason) {
    Observation o = inFlight.get().call(call);
    if (o != null) {
      o.event(Observation.Event.of("lbkit.retry", "retry " + nextAttempt + " after " + reason));
    }
  }

  @Override
  public void callRejected(Call call, LbException rejection) {
    Observation o = inFlight.get().call(call);
    if (o != null) {
      o.highCardinalityKeyValue("lbkit.rejection", rejection.getMessage());
    }
  }

  @Override
  public void callEnded(Call call, Request request, Response response, Throwable failure, long durationNanos) {
    Observation o = inFlight.get().popCall(call);
    if (o == null) {
      return;
    }
    String status = response == null ? ClientMeters.NONE : TagValues.status(response.code());
    String error = failure != null ? ClientMeters.errorType(failure)
        : response.code() >= 400 ? status : ClientMeters.NONE;
    o.lowCardinalityKeyValue("http.response.status_code", status).lowCardinalityKeyValue("error.type", error);
    if (failure != null) {
      o.error(failure);
    }
    o.stop();
  }
}
