package dev.lbkit.okhttp;

import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.Ticker;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.CertificatePinner;
import okhttp3.Cookie;
import okhttp3.CookieJar;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application interceptor behind {@link LbOkHttp#wrap}: routes each request, picks a server
 * per attempt, retries, follows redirects, applies stickiness and rate limits.
 *
 * <p><b>Why the URL keeps the logical host.</b> Each attempt rewrites only the port (to the
 * server's) and installs, through OkHttp 5's per-call chain overrides, a {@link ServerDns} that
 * resolves the logical host to the chosen server's address. Everything OkHttp derives from the
 * URL host therefore still says {@code user-service}: TLS SNI and hostname verification,
 * certificate pins, the cookie jar's domain and the Host header. Rewriting the host to an IP
 * address instead would break all of them (certificates do not name IPs, pins silently stop
 * matching, cookies land under the IP). A network interceptor could not do this at all: the
 * connection is chosen before network interceptors run. Connections stay per server because
 * {@link okhttp3.Address} equality includes the {@code Dns}, which differs per server.
 *
 * <p><b>Attempts.</b> OkHttp's own silent retry is turned off for balanced attempts ({@code
 * withRetryOnConnectionFailure(false)}): it would resend on the same server, possibly a POST on a
 * stale pooled connection. The network interceptor {@link AttemptState.Marker} records whether an
 * attempt reached a connected server, which decides whether a POST may be retried.
 *
 * <p><b>Deadline.</b> The call timeout bounds the whole call. Before every attempt the remaining
 * time is checked, and each attempt's connect, read and write timeouts are capped by it, so no
 * attempt starts after the deadline and none outlives it by much.
 *
 * <p><b>Selections.</b> Every selection is completed exactly once: with the response's outcome
 * when its body is done (see {@link CompletingBody}), at once for an empty body, a discarded
 * response or a failure, and with {@link Outcome#CANCELLED} for a selection not used.
 */
final class LbInterceptor implements Interceptor {
  private static final Logger log = LoggerFactory.getLogger(LbInterceptor.class);

  /**
   * Tolerance when telling a call-timeout cancellation from a user cancellation: OkHttp's timer
   * starts slightly before this interceptor reads the clock.
   */
  private static final long DEADLINE_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  final LbConfig config;
  private final Ticker ticker;
  private final OutcomeClassifier classifier;
  private final ListenerDispatch events;
  private final Map<String, ClusterState> clusters = new LinkedHashMap<>();
  private final Set<String> logicalHosts = new LinkedHashSet<>();
  private final RateLimitGates rateLimits;
  private final AttemptAddressing addressing;
  private final Redirects redirects;

  LbInterceptor(LbConfig config, Dns baseDns, boolean followRedirects, boolean followSslRedirects) {
    this.config = config;
    this.ticker = config.ticker;
    this.classifier = new SafeClassifier(config.classifier);
    this.events = new ListenerDispatch(config.listener);
    this.addressing = new AttemptAddressing(config, baseDns);
    this.redirects = new Redirects(followRedirects, followSslRedirects, config.allowHttpsToHttpRedirects);
    for (Map.Entry<String, Picker> e : config.clusters.entrySet()) {
      clusters.put(e.getKey(), ClusterState.of(e.getKey(), e.getValue(), config));
      logicalHosts.add(e.getKey());
    }
    for (RouteRule rule : config.rules) {
      if (rule.host() != null) {
        logicalHosts.add(rule.host());
      }
    }
    this.rateLimits = RateLimitGates.of(config);
  }

  Map<String, ClusterCounters> counters() {
    Map<String, ClusterCounters> m = new LinkedHashMap<>();
    for (ClusterState cs : clusters.values()) {
      m.put(cs.name, cs.counters.snapshot());
    }
    return Collections.unmodifiableMap(m);
  }

  StickyState sticky(String cluster) {
    return clusters.get(cluster).sticky;
  }

  List<RateLimitGate> gates() {
    return rateLimits.gates();
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Call call = chain.call();
    CallDeadline deadline = CallDeadline.start(call, ticker);
    Request current = chain.request();
    Response prior = null;
    boolean priorBalanced = false;
    for (int followUps = 0; ; ) {
      ClusterState cs;
      CookieView cookies = new CookieView(current, chain.getCookieJar());
      try {
        cs = route(call, current, cookies);
      } catch (IOException e) {
        closeQuietly(prior);
        throw e;
      }
      if (prior != null) {
        if (cs != null && !priorBalanced) {
          // An outside server may not send the caller into a cluster: return its redirect as is.
          log.debug("not following redirect from {} into cluster {}", prior.request().url().host(), cs.name);
          return prior;
        }
        prior.close();
      }
      acquirePermits(call, current, cs, deadline);
      Response response =
          cs == null ? passThrough(chain, call, current, deadline) : balanced(chain, call, current, cs, cookies, deadline);
      if (prior != null) {
        // As OkHttp's own follow-up: each response links the one that redirected to it, bodiless.
        response = response.newBuilder().priorResponse(Redirects.withoutBody(prior)).build();
      }
      Request followUp = redirects.followUp(response, current);
      if (followUp == null) {
        return response;
      }
      if (++followUps > Redirects.MAX_FOLLOW_UPS) {
        response.close();
        throw new ProtocolException("Too many follow-up requests: " + followUps);
      }
      prior = response;
      priorBalanced = cs != null;
      current = followUp;
    }
  }

  // ------------------------------------------------------------------ routing

  private ClusterState route(Call call, Request request, CookieView cookies) throws LbException {
    String host = request.url().host();
    // Rules see only requests for logical hosts: a request for an outside host is never steered
    // into a cluster by what it carries.
    if (logicalHosts.contains(host)) {
      for (RouteRule rule : config.rules) {
        if (rule.matches(request, rule.needsCookies() ? cookies.all() : Map.of())) {
          String target = rule.choose(config.random);
          ClusterState cs = clusters.get(LbConfig.clusterRef(target));
          events.routeDecided(call, request, cs.name, "rule " + rule.name());
          return cs;
        }
      }
    }
    ClusterState cs = clusters.get(host);
    if (cs != null) {
      events.routeDecided(call, request, cs.name, "host");
      return cs;
    }
    if (config.strict) {
      LbException e = new LbException(LbException.Reason.UNKNOWN_HOST, host,
          host + ": no cluster or rule for this host (strict mode)", null);
      throw events.callRejected(call, e);
    }
    events.routeDecided(call, request, null, "pass-through");
    return null;
  }

  // ------------------------------------------------------------------ rate limits

  /** Takes the call's rate-limit permits; a refusal is counted and reported. */
  private void acquirePermits(Call call, Request request, ClusterState cs, CallDeadline deadline) throws IOException {
    try {
      rateLimits.acquire(request, cs == null ? null : cs.name, deadline);
    } catch (LbException e) {
      if (cs != null) {
        cs.counters.rateLimited.increment();
      }
      throw events.callRejected(call, e);
    }
  }

  // ------------------------------------------------------------------ pass-through

  private Response passThrough(Chain chain, Call call, Request request, CallDeadline deadline) throws IOException {
    if (deadline.passed()) {
      throw events.callRejected(call, CallDeadline.exceeded(request.url().host()));
    }
    return chain.proceed(request);
  }

  // ------------------------------------------------------------------ balanced calls

  private Response balanced(Chain chain, Call call, Request request, ClusterState cs, CookieView cookies, CallDeadline deadline)
      throws IOException {
    cs.counters.requests.increment();
    cs.budget.onRequest();
    RetryPolicy policy = config.retryPolicy;
    String hashKey = null;
    String preferredId = null;
    if (cs.policy != null) {
      if (cs.policy.kind() == StickyPolicy.Kind.HASH) {
        hashKey = hashKey(cs, request);
      } else {
        preferredId = cs.sticky.preferredId(cookies.all());
      }
    }
    if (deadline.passed()) {
      throw events.callRejected(call, CallDeadline.exceeded(cs.name));
    }
    Selection selection = firstPick(call, cs, hashKey, preferredId);
    List<Server> tried = new ArrayList<>(policy.maxAttempts());
    for (int attempt = 1; ; attempt++) {
      Server server = selection.server();
      long remaining = deadline.remainingNanos();
      AttemptAddress address;
      try {
        address = addressing.address(chain, request, server, remaining);
      } catch (RuntimeException e) {
        // For example a tls-name that is not a valid host name: a configuration error.
        selection.complete(0, Outcome.CANCELLED);
        throw new IOException(cs.name + ": cannot address " + server.id() + ": " + e.getMessage(), e);
      }
      cs.counters.attempts.increment();
      events.attemptStarted(call, cs.name, server, attempt);
      long t0 = ticker.nanoTime();
      Response response;
      try {
        response = address.proceed();
      } catch (IOException e) {
        long latency = ticker.nanoTime() - t0;
        Outcome outcome = failureOutcome(call, e, deadline);
        selection.complete(latency, outcome);
        finished(call, cs, server, attempt, outcome, latency);
        tried.add(server);
        String why = retryableFailure(request, outcome, address.reachedServer());
        Retry retry = why == null ? null : planRetry(call, cs, attempt, hashKey, tried, deadline, why, e);
        if (retry == null) {
          throw connectionFailure(cs, e, tried, address.reachedServer());
        }
        selection = retry.await(this);
        continue;
      } catch (RuntimeException | Error e) {
        selection.complete(ticker.nanoTime() - t0, Outcome.IO_ERROR);
        throw e;
      }
      long latency = ticker.nanoTime() - t0;
      Outcome outcome = classifier.classify(response);
      finished(call, cs, server, attempt, outcome, latency);
      if (outcome == Outcome.SERVER_ERROR
          && policy.retryableStatuses().contains(response.code())
          && policy.isIdempotent(request.method())
          && Resend.possible(request)) {
        tried.add(server);
        Retry retry = planRetry(call, cs, attempt, hashKey, tried, deadline, "status " + response.code(), null);
        if (retry != null) {
          selection.complete(latency, outcome);
          response.close();
          selection = retry.await(this);
          continue;
        }
      }
      if (cs.sticky != null) {
        response = cs.sticky.onResponse(response, server, cookies.all(), request.url(), chain.getCookieJar());
      }
      // The caller sees its own logical request, not the attempt's port and tag.
      response = response.newBuilder().request(request).build();
      return completeWithBody(call, response, selection, latency, outcome, deadline);
    }
  }

  /** The request's hash key; a key function that throws counts as no key (a normal pick). */
  private static String hashKey(ClusterState cs, Request request) {
    try {
      return cs.policy.key(request);
    } catch (RuntimeException e) {
      log.warn("{}: hash key of {} failed; picking without a key", cs.name, cs.policy, e);
      return null;
    }
  }

  /**
   * The first attempt's selection: by the hash key, or the server the sticky cookie names while
   * the picker offers it (else a normal pick).
   */
  private Selection firstPick(Call call, ClusterState cs, String hashKey, String preferredId) throws LbException {
    PickContext.Builder b = PickContext.builder();
    if (hashKey != null) {
      b.hashKey(hashKey);
    }
    if (preferredId != null) {
      b.preferId(preferredId);
    }
    Selection s;
    try {
      s = cs.picker.pick(b.build());
    } catch (NoAvailableServerException e) {
      cs.counters.noServer.increment();
      throw events.callRejected(call, new LbException(LbException.Reason.NO_SERVER, cs.name, e.getMessage(), e));
    } catch (RuntimeException e) {
      cs.counters.noServer.increment();
      throw events.callRejected(call, new LbException(LbException.Reason.NO_SERVER, cs.name, cs.name + ": picker failed: " + e, e));
    }
    if (preferredId != null && log.isDebugEnabled()) {
      log.debug("{}: sticky pick {}", cs.name, s.server().id().equals(preferredId) ? s.server().id() : "unavailable, picked " + s.server().id());
    }
    return s;
  }

  /** Why a failed attempt may be retried, or null. RFC 9110 §9.2.2. */
  private String retryableFailure(Request request, Outcome outcome, boolean connected) {
    if (outcome == Outcome.CANCELLED) {
      return null;
    }
    if (!connected) {
      return "not sent (" + outcome + ")";
    }
    if (config.retryPolicy.isIdempotent(request.method()) && Resend.possible(request)) {
      return outcome.toString();
    }
    return null;
  }

  /**
   * Plans the next attempt: attempts left, time left after the backoff, a server not yet tried,
   * and budget. Returns null when any is missing; throws when only the budget is missing and the
   * last attempt failed with an exception.
   */
  private Retry planRetry(Call call, ClusterState cs, int attempt, String hashKey, List<Server> tried, CallDeadline deadline,
      String why, IOException failure) throws LbException {
    if (attempt >= config.retryPolicy.maxAttempts() || call.isCanceled()) {
      return null;
    }
    long backoff = config.retryPolicy.backoffNanos(attempt);
    if (deadline.remainingNanos() <= backoff) {
      log.debug("{}: no retry, deadline too close", cs.name);
      return null;
    }
    PickContext.Builder b = PickContext.builder().avoidAll(tried);
    if (hashKey != null) {
      b.hashKey(hashKey);
    }
    Selection next;
    try {
      next = cs.picker.pick(b.build());
    } catch (RuntimeException e) {
      log.debug("{}: no retry, no untried server: {}", cs.name, e.getMessage());
      return null;
    }
    if (!cs.budget.tryRetry()) {
      next.complete(0, Outcome.CANCELLED);
      cs.counters.budgetExhausted.increment();
      log.debug("{}: no retry, retry budget exhausted", cs.name);
      if (failure == null) {
        return null;
      }
      LbException e = new LbException(LbException.Reason.RETRY_BUDGET_EXHAUSTED, cs.name,
          cs.name + ": retry budget exhausted (" + config.retryPolicy.budgetPercent() + "% of requests + "
              + config.retryPolicy.budgetMinPerSecond() + "/s); last failure: " + failure, failure);
      throw events.callRejected(call, e);
    }
    cs.counters.retries.increment();
    events.retryScheduled(call, cs.name, attempt + 1, backoff, why);
    return new Retry(next, backoff);
  }

  /** The next attempt's selection and the backoff to wait before it. */
  private static final class Retry {
    final Selection next;
    final long backoffNanos;

    Retry(Selection next, long backoffNanos) {
      this.next = next;
      this.backoffNanos = backoffNanos;
    }

    Selection await(LbInterceptor owner) throws IOException {
      try {
        InterruptibleSleep.sleep(owner.config.sleeper, backoffNanos);
      } catch (IOException e) {
        next.complete(0, Outcome.CANCELLED);
        throw e;
      }
      return next;
    }
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
  private Outcome failureOutcome(Call call, IOException e, CallDeadline deadline) {
    if (call.isCanceled()) {
      return e instanceof InterruptedIOException || deadline.remainingNanos() <= DEADLINE_SLACK_NANOS
          ? Outcome.TIMEOUT
          : Outcome.CANCELLED;
    }
    return classifier.classify(e);
  }

  private Response completeWithBody(Call call, Response response, Selection selection, long latency, Outcome outcome,
      CallDeadline deadline) {
    ResponseBody body = response.body();
    if (body == null || body.contentLength() == 0) {
      selection.complete(latency, outcome);
      return response;
    }
    CompletingBody.Completion completion =
        new CompletingBody.Completion(selection, latency, outcome, e -> failureOutcome(call, e, deadline));
    return response.newBuilder().body(new CompletingBody(body, completion)).build();
  }

  // ------------------------------------------------------------------ misc

  /**
   * The final failure of a balanced call, named after the cluster when no server of it could be
   * connected to: OkHttp's own message names only the last address ("Failed to connect to
   * user-service/127.0.0.1:8081"), which tells an operator neither the cluster nor how many
   * servers were tried. The copy keeps the class ({@link ConnectException}, {@link
   * NoRouteToHostException}, {@link SocketTimeoutException}), so callers and classifiers that
   * test the type still work, and has the original as its cause. Other failures (TLS, a
   * connection reset after sending, timeouts of a connected exchange) are returned unchanged:
   * their messages and types are what callers match on.
   */
  static IOException connectionFailure(ClusterState cs, IOException e, List<Server> tried, boolean connected) {
    if (connected) {
      return e;
    }
    IOException named;
    String message = cs.name + ": could not connect to " + tried.get(tried.size() - 1).id() + " (servers tried: "
        + ids(tried) + "): " + e.getMessage();
    if (e instanceof ConnectException) {
      named = new ConnectException(message);
    } else if (e instanceof NoRouteToHostException) {
      named = new NoRouteToHostException(message);
    } else if (e instanceof SocketTimeoutException) {
      named = new SocketTimeoutException(message);
    } else {
      return e;
    }
    named.initCause(e);
    return named;
  }

  private static String ids(List<Server> servers) {
    StringBuilder b = new StringBuilder();
    for (Server s : servers) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(s.id());
    }
    return b.toString();
  }

  private void finished(Call call, ClusterState cs, Server server, int attempt, Outcome outcome, long latency) {
    if (outcome == Outcome.SUCCESS) {
      cs.counters.successes.increment();
    } else if (outcome.isFailure()) {
      cs.counters.failures.increment();
    }
    events.attemptFinished(call, cs.name, server, attempt, outcome, latency);
  }

  private static void closeQuietly(Response r) {
    if (r != null) {
      r.close();
    }
  }

  @Override
  public String toString() {
    return "LbInterceptor" + clusters.keySet();
  }
}
