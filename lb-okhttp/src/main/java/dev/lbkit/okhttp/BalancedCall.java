package dev.lbkit.okhttp;

import dev.lbkit.api.internal.RetryThrottle;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.PickerClosedException;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.Ticker;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Dns;
import okhttp3.Headers;
import okhttp3.Interceptor.Chain;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request sent to one cluster, from the first pick to the response handed back: the attempt
 * loop, retries and the cluster's retry budget, the call's deadline, the servers tried, and the
 * hash key or preferred server of the cluster's sticky policy. {@link LbInterceptor} creates one
 * per request it routes to a cluster (a followed redirect gets a new one), as OkHttp's {@code
 * RealCall} owns one call.
 *
 * <p><b>Attempts.</b> Each attempt sends the logical request to the selection's server, as
 * {@link AttemptAddressing} addresses it. A retry follows {@link RetryPolicy}: it always goes to
 * a server not yet tried (the tried servers are the pick's avoid set; after a stale pooled
 * connection the same server is allowed again when no other is left), keeps the hash key but
 * not the preferred server, waits its backoff, and needs attempts, time and budget left and a
 * cluster not failing as a whole ({@link RetryThrottle}). A request that is not idempotent is
 * retried only when its attempt never reached a server or its body write failed, as {@link
 * AttemptState.Marker} records. A failure on a stale pooled connection is nobody's fault: see
 * {@link StaleConnection} for the rule and why.
 *
 * <p><b>Selections.</b> Every selection is completed exactly once: with the response's outcome
 * when its body is done (see {@link CompletingBody}), at once for an empty body, a body read in
 * full before it is handed back ({@link RetryPolicy#truncatedBodyLimit()}), a discarded
 * response or a failure, and with {@link Outcome#CANCELLED} for a selection not used.
 *
 * <p>Threading: confined to the thread that runs the interceptor chain. Only {@link
 * #failureOutcome} runs later, on the thread that reads the response body, and it reads final
 * fields only.
 */
final class BalancedCall {
  private static final Logger log = LoggerFactory.getLogger(BalancedCall.class);

  /**
   * Tolerance when telling a call-timeout cancellation from a user cancellation: OkHttp's timer
   * starts slightly before the interceptor reads the clock.
   */
  private static final long DEADLINE_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /** What every call of the wrapped client shares. */
  private final Factory shared;
  private final Chain chain;
  private final Call call;
  /** The logical request: what the caller (or a followed redirect) asked for. */
  private final Request request;
  private final ClusterState cluster;
  /** The retry policy and timeouts of this call's route. */
  private final CallSettings settings;
  private final CookieView cookies;
  private final CallDeadline deadline;
  /** The servers of the attempts so far; a retry avoids them. */
  private final List<Server> tried;

  /**
   * The sticky hash key and its hash ({@link PickContext#EMPTY} without a key): hashed once per
   * call, the first pick and every retry start from it.
   */
  private PickContext keyed = PickContext.EMPTY;
  /** The id of the server the sticky cookie names, or null; only the first pick prefers it. */
  private String preferredId;
  /** The current attempt's number, from 1. */
  private int attempt;
  /** The current attempt's selection. */
  private Selection selection;
  /** The current attempt, as addressed. */
  private AttemptAddress address;
  /** The backoff before the retry last planned. */
  private long backoffNanos;
  /** Why the current attempt is a retry; null for the first. */
  private String retryReason;
  /** The current attempt as listeners see it; null while no listener is set. */
  private LbAttempt current;
  /** Whether the next attempt must open a fresh connection: the last one failed on a stale one. */
  private boolean freshConnection;
  /** The server of the last attempt when it failed on a stale connection, else null. */
  private Server staleServer;

  private BalancedCall(Factory factory, Chain chain, Request request, ClusterState cluster, CallSettings settings,
      CookieView cookies, CallDeadline deadline) {
    this.shared = factory;
    this.chain = chain;
    this.call = chain.call();
    this.request = request;
    this.cluster = cluster;
    this.settings = settings;
    this.cookies = cookies;
    this.deadline = deadline;
    this.tried = new ArrayList<>(settings.retryPolicy.maxAttempts());
  }

  /**
   * Runs the call: a first pick, then attempts until one's response stands or a failure is
   * final.
   *
   * @return the response, with the logical request and a body that completes its selection
   * @throws LbException when lbkit refuses the call: no server, the deadline, the retry budget
   * @throws IOException the last attempt's failure (see {@link ClusterConnectFailure})
   */
  Response execute() throws IOException {
    cluster.counters.requests.increment();
    cluster.budget.onRequest();
    chooseAffinity();
    if (deadline.passed()) {
      throw shared.events.callRejected(call, CallDeadline.exceeded(cluster.name));
    }
    selection = firstPick();
    for (attempt = 1; ; attempt++) {
      Response response = runAttempt();
      if (response != null) {
        return response;
      }
    }
  }

  /** Sets the hash key or the preferred server, as the cluster's sticky policy says. */
  private void chooseAffinity() {
    StickyPolicy policy = cluster.policy;
    if (policy == null) {
      return;
    }
    if (policy.kind() != StickyPolicy.Kind.HASH) {
      preferredId = cluster.sticky.preferredId(cookies.all());
      return;
    }
    try {
      String key = policy.key(request);
      if (key != null) {
        keyed = PickContext.ofKey(key);
      }
    } catch (RuntimeException e) {
      // A key function that throws counts as no key: a normal pick.
      log.warn("{}: hash key of {} failed; picking without a key", cluster.name, policy, e);
    }
  }

  /**
   * The first attempt's selection: by the hash key, or the server the sticky cookie names while
   * the picker offers it (else a normal pick).
   */
  private Selection firstPick() throws LbException {
    // The common cases build no collections: no key and no cookie, or a key alone.
    PickContext context = preferredId == null ? keyed : keyed.toBuilder().preferId(preferredId).build();
    Selection s;
    try {
      s = cluster.picker.pick(context);
    } catch (NoAvailableServerException e) {
      cluster.counters.noServer.increment();
      throw shared.events.callRejected(call, new LbException(LbException.Reason.NO_SERVER, cluster.name, e.getMessage(), e));
    } catch (PickerClosedException e) {
      throw shared.events.callRejected(call, new LbException(LbException.Reason.CLOSED, cluster.name, e.getMessage(), e));
    } catch (RuntimeException e) {
      cluster.counters.noServer.increment();
      throw shared.events.callRejected(call,
          new LbException(LbException.Reason.NO_SERVER, cluster.name, cluster.name + ": picker failed: " + e, e));
    }
    if (preferredId != null && log.isDebugEnabled()) {
      log.debug("{}: sticky pick {}", cluster.name,
          s.server().id().equals(preferredId) ? s.server().id() : "unavailable, picked " + s.server().id());
    }
    return s;
  }

  /**
   * Runs attempt {@link #attempt} on {@link #selection}. Returns the response to hand back, or
   * null when a retry has been set up (with the next selection current).
   */
  private Response runAttempt() throws IOException {
    address = address();
    cluster.counters.attempts.increment();
    shared.events.attemptStarted(call, cluster.name, selection.server(), attempt);
    announceAttempt();
    long t0 = shared.ticker.nanoTime();
    Response response;
    try {
      response = address.proceed();
    } catch (IOException e) {
      retryAfterFailure(e, shared.ticker.nanoTime() - t0, false);
      return null;
    } catch (RuntimeException | Error e) {
      long latency = shared.ticker.nanoTime() - t0;
      selection.complete(latency, Outcome.IO_ERROR);
      if (current != null) {
        shared.events.attemptEnded(current, Outcome.IO_ERROR, -1, e, latency);
      }
      throw e;
    }
    long latency = shared.ticker.nanoTime() - t0;
    boolean bodyRead = readsWholeBody(response);
    if (bodyRead) {
      try {
        response = withBodyRead(response);
      } catch (IOException e) {
        retryAfterFailure(e, shared.ticker.nanoTime() - t0, true);
        return null;
      }
    }
    Outcome outcome = shared.classifier.classify(response);
    finished(outcome, latency, response.code(), null);
    if (retryAfterStatus(response, outcome, latency)) {
      return null;
    }
    return deliver(response, outcome, latency, bodyRead);
  }

  /**
   * Whether {@code response}'s body is read in full before it stands, so that a body cut off
   * mid-way may be retried: the policy asks for it ({@link RetryPolicy#truncatedBodyLimit()}),
   * the declared length is within it, and the request may be retried after reaching a server.
   */
  private boolean readsWholeBody(Response response) {
    RetryPolicy policy = settings.retryPolicy;
    long limit = policy.truncatedBodyLimit();
    if (limit == 0) {
      return false; // the default: nothing to decide per response
    }
    long length = response.body().contentLength();
    return length > 0
        && length <= limit
        && attempt < policy.maxAttempts()
        && policy.isIdempotent(request.method())
        && Resend.possible(request);
  }

  /**
   * {@code response} with its body read into memory; throws, with the response closed, when the
   * connection is lost before the declared length has arrived.
   */
  private static Response withBodyRead(Response response) throws IOException {
    ResponseBody body = response.body();
    Buffer whole = new Buffer();
    try (body) {
      body.source().readAll(whole);
    }
    return response.newBuilder().body(ResponseBody.create(whole, body.contentType(), whole.size())).build();
  }

  /**
   * Tells listeners that the current attempt is about to be sent, and sets the headers they add
   * on it. Without a listener, builds nothing.
   */
  private void announceAttempt() {
    if (shared.events.silent()) {
      return;
    }
    Server server = selection.server();
    String affinity = attempt == 1 && preferredId != null && preferredId.equals(server.id()) ? "sticky cookie" : null;
    current = new LbAttempt(call, request, cluster.name, server, attempt, cluster.algorithm, retryReason, tried,
        affinity);
    Headers extra = shared.events.attemptSending(current);
    if (extra != null) {
      address = address.withHeaders(extra);
    }
  }

  private AttemptAddress address() throws IOException {
    Server server = selection.server();
    try {
      return shared.addressing.address(chain, request, server, settings, deadline.remainingNanos(), freshConnection);
    } catch (RuntimeException e) {
      // For example a tls-name that is not a valid host name: a configuration error.
      selection.complete(0, Outcome.CANCELLED);
      throw new IOException(cluster.name + ": cannot address " + server.id() + ": " + e.getMessage(), e);
    }
  }

  /** Counts and reports the end of the current attempt: its status code (-1 for none) or failure. */
  private void finished(Outcome outcome, long latencyNanos, int statusCode, Throwable failure) {
    cluster.throttle.record(outcome, selection.server().id());
    if (outcome == Outcome.SUCCESS) {
      cluster.counters.successes.increment();
    } else if (outcome.isFailure()) {
      cluster.counters.failures.increment();
    }
    shared.events.attemptFinished(call, cluster.name, selection.server(), attempt, outcome, latencyNanos);
    if (current != null) {
      shared.events.attemptEnded(current, outcome, statusCode, failure, latencyNanos);
    }
  }

  /**
   * Completes the failed attempt and sets up a retry, or throws the final failure. A failure on a
   * stale pooled connection ({@link StaleConnection}) is completed as {@link Outcome#CANCELLED},
   * and its retry opens a fresh connection: on another server when one is left (the server may
   * have been stopped, which closed the connection), else on the same one. A connection that
   * failed after the response headers ({@code answered}) was not stale: the server answered.
   */
  private void retryAfterFailure(IOException failure, long latencyNanos, boolean answered) throws IOException {
    boolean stale = !answered && address.reusedConnection() && !call.isCanceled()
        && StaleConnection.looksClosed(failure);
    Outcome outcome = stale ? Outcome.CANCELLED : failureOutcome(failure);
    selection.complete(latencyNanos, outcome);
    finished(outcome, latencyNanos, -1, failure);
    tried.add(selection.server());
    staleServer = stale ? selection.server() : null;
    String why = retryableFailure(outcome, stale);
    Selection next = why == null ? null : planRetry(why, failure);
    if (next == null) {
      throw ClusterConnectFailure.of(cluster.name, failure, tried, address.reachedServer());
    }
    freshConnection = stale;
    startRetry(next);
  }

  /** Why the failed attempt may be retried, or null. RFC 9110 §9.2.2, and {@link StaleConnection}. */
  private String retryableFailure(Outcome outcome, boolean stale) {
    if (outcome == Outcome.CANCELLED && !stale) {
      return null;
    }
    String what = stale ? "stale pooled connection" : outcome.toString();
    if (!address.reachedServer()) {
      return "not sent (" + what + ")";
    }
    if (address.writeFailed() && Resend.possible(request)) {
      return "request write failed (" + what + ")";
    }
    if (settings.retryPolicy.isIdempotent(request.method()) && Resend.possible(request)) {
      return what;
    }
    return null;
  }

  /**
   * Sets up a retry of a response whose status the policy retries, discarding the response;
   * false when there is none to set up, and the response stands.
   */
  private boolean retryAfterStatus(Response response, Outcome outcome, long latencyNanos) throws IOException {
    if (outcome != Outcome.SERVER_ERROR
        || !settings.retryPolicy.retryableStatuses().contains(response.code())
        || !settings.retryPolicy.isIdempotent(request.method())
        || !Resend.possible(request)) {
      return false;
    }
    tried.add(selection.server());
    staleServer = null;
    Selection next = planRetry("status " + response.code(), null);
    if (next == null) {
      return false;
    }
    selection.complete(latencyNanos, outcome);
    response.close();
    freshConnection = false;
    startRetry(next);
    return true;
  }

  /**
   * Plans the next attempt: attempts left, time left after the backoff, a server not yet tried,
   * a cluster not failing as a whole (the throttle), and budget. Returns its selection, with
   * {@link #backoffNanos} set, or null when any is missing; throws when only the throttle or the
   * budget is missing and the last attempt failed with {@code failure} (null for a retryable
   * status, whose response then stands).
   */
  private Selection planRetry(String why, IOException failure) throws LbException {
    if (attempt >= settings.retryPolicy.maxAttempts() || call.isCanceled()) {
      return null;
    }
    long backoff = settings.retryPolicy.backoffNanos(attempt, shared.random);
    if (deadline.remainingNanos() <= backoff) {
      log.debug("{}: no retry, deadline too close", cluster.name);
      return null;
    }
    Selection next = untriedPick();
    if (next == null) {
      return null;
    }
    if (!cluster.throttle.allowsRetry()) {
      next.complete(0, Outcome.CANCELLED);
      cluster.counters.retriesThrottled.increment();
      log.debug("{}: no retry, the cluster is failing as a whole (retry throttle)", cluster.name);
      shared.events.retryRefused(call, cluster.name, attempt, LbEventListener.RetryRefusal.RETRY_THROTTLE);
      if (failure == null) {
        return null;
      }
      RetryPolicy p = cluster.settings.retryPolicy;
      throw shared.events.callRejected(call, new LbException(LbException.Reason.RETRY_THROTTLED, cluster.name,
          cluster.name + ": retry throttled, the cluster is failing (fewer than " + p.throttleMinSuccessPercent()
              + "% of its last " + p.throttleWindow() + " attempts succeeded); last failure: " + failure, failure));
    }
    if (!cluster.budget.tryRetry()) {
      next.complete(0, Outcome.CANCELLED);
      cluster.counters.budgetExhausted.increment();
      log.debug("{}: no retry, retry budget exhausted", cluster.name);
      shared.events.retryRefused(call, cluster.name, attempt, LbEventListener.RetryRefusal.RETRY_BUDGET);
      if (failure == null) {
        return null;
      }
      throw shared.events.callRejected(call, new LbException(LbException.Reason.RETRY_BUDGET_EXHAUSTED, cluster.name,
          cluster.name + ": retry budget exhausted (" + cluster.settings.retryPolicy.budgetPercent() + "% of requests + "
              + cluster.settings.retryPolicy.budgetMinPerSecond() + "/s); last failure: " + failure, failure));
    }
    cluster.counters.retries.increment();
    shared.events.retryScheduled(call, cluster.name, attempt + 1, backoff, why);
    backoffNanos = backoff;
    retryReason = why;
    return next;
  }

  /**
   * A selection among the servers not tried yet, with the hash key; when there is none and the
   * last attempt failed on a stale connection, one that may be that attempt's server again (a
   * single-server cluster retries there); null when there is none.
   */
  private Selection untriedPick() {
    Selection s = pickAvoiding(tried);
    if (s == null && staleServer != null) {
      List<Server> others = new ArrayList<>(tried);
      others.remove(staleServer);
      s = pickAvoiding(others);
    }
    return s;
  }

  private Selection pickAvoiding(List<Server> avoid) {
    try {
      return cluster.picker.pick(keyed.toBuilder().avoidAll(avoid).build());
    } catch (RuntimeException e) {
      log.debug("{}: no retry, no untried server: {}", cluster.name, e.getMessage());
      return null;
    }
  }

  /** Waits the planned backoff, then makes {@code next} current; an interrupt cancels {@code next}. */
  private void startRetry(Selection next) throws IOException {
    try {
      InterruptibleSleep.sleep(shared.sleeper, backoffNanos);
    } catch (IOException e) {
      next.complete(0, Outcome.CANCELLED);
      throw e;
    }
    selection = next;
  }

  /**
   * The response that stands, as the caller gets it: with the sticky cookie when one is due,
   * the logical request (not the attempt's port and tag), and a body that completes the
   * selection when done ({@code bodyRead}: at once, the body having been read into memory).
   */
  private Response deliver(Response response, Outcome outcome, long latencyNanos, boolean bodyRead) {
    if (cluster.sticky != null) {
      response = cluster.sticky.onResponse(response, selection.server(), cookies.all(), request.url(), chain.getCookieJar());
    }
    Response.Builder delivered = response.newBuilder().request(request);
    ResponseBody body = response.body();
    if (body == null || body.contentLength() == 0 || bodyRead) {
      selection.complete(latencyNanos, outcome);
      return delivered.build();
    }
    CompletingBody.Completion completion =
        new CompletingBody.Completion(selection, latencyNanos, outcome, this::failureOutcome);
    return delivered.body(new CompletingBody(body, completion)).build();
  }

  /**
   * The outcome of an attempt that failed with {@code e}, before its headers or while its body
   * was read ({@link CompletingBody}). A call that is not cancelled goes to the classifier. A
   * cancelled call was cancelled either by the caller or by its own call timeout, and only the
   * caller's cancel is {@link Outcome#CANCELLED}: a server that sends headers and then stalls
   * past the deadline must count as a {@link Outcome#TIMEOUT}, or outlier detection and breakers
   * would never see it.
   *
   * <p>The rule: a cancelled call is a timeout when the failure is an {@link
   * InterruptedIOException}, or when the deadline has passed (within {@link
   * #DEADLINE_SLACK_NANOS}). OkHttp's call timeout is an okio {@code AsyncTimeout} whose expiry
   * cancels the call; when the call then finishes, OkHttp replaces the failure the cancel caused
   * with {@code InterruptedIOException("timeout")} ({@code RealCall.timeoutExit}), before the
   * headers and during the body read alike. A caller's own {@code cancel()} surfaces as the
   * failure of the closed stream instead ({@code IOException("Canceled")}, a closed socket, an
   * HTTP/2 stream reset), never as an {@code InterruptedIOException}. The deadline check covers
   * a failure OkHttp did not rewrite. Neither {@link Call#timeout()}'s deadline nor its {@code
   * hasDeadline()} can tell: OkHttp sets the call timeout as a timeout, not a deadline.
   */
  private Outcome failureOutcome(IOException e) {
    if (call.isCanceled()) {
      return e instanceof InterruptedIOException || deadline.remainingNanos() <= DEADLINE_SLACK_NANOS
          ? Outcome.TIMEOUT
          : Outcome.CANCELLED;
    }
    return shared.classifier.classify(e);
  }

  /** Creates the balanced calls of one wrapped client, and holds what they share. Immutable. */
  static final class Factory {
    private final Ticker ticker;
    private final RandomSource random;
    private final Sleeper sleeper;
    private final OutcomeClassifier classifier;
    private final ListenerDispatch events;
    private final AttemptAddressing addressing;

    /** Calls as {@code config} says, resolving other hosts with {@code baseDns}, reporting to {@code events}. */
    Factory(LbConfig config, Dns baseDns, ListenerDispatch events) {
      this.ticker = config.ticker;
      this.random = config.random;
      this.sleeper = config.sleeper;
      this.classifier = new SafeClassifier(config.classifier);
      this.events = events;
      this.addressing = new AttemptAddressing(config, baseDns);
    }

    /**
     * A call of {@code request}, routed to {@code cluster} with the route's {@code settings};
     * {@code cookies} are the request's.
     */
    BalancedCall newCall(Chain chain, Request request, ClusterState cluster, CallSettings settings, CookieView cookies,
        CallDeadline deadline) {
      return new BalancedCall(this, chain, request, cluster, settings, cookies, deadline);
    }
  }
}
