package dev.lbkit.api.internal;

import dev.lbkit.api.Outcome;
import java.util.HashMap;
import java.util.Map;

/**
 * Stops retries while a cluster as a whole is failing: a gate on the success rate of the
 * cluster's last {@code window} attempts. A retry is refused while at least
 * {@code minAttempts} outcomes are known and fewer than {@code
 * minSuccessPercent}% of them are successes. The {@link RetryBudget} still
 * applies on top: the throttle says whether retrying can help at all, the budget how much extra
 * load retries may add.
 *
 * <p><b>Why.</b> The budget alone cannot stop a storm: its reserve ({@code minPerSecond ×
 * window}, 100 retries) can be spent in one burst, and at tens of calls per second it lets most
 * calls retry twice while every server fails (1.55 attempts per call was measured). When every
 * server fails, a retry only adds load; when one server of five fails, a retry on another server
 * is exactly what saves the call. Retrying must therefore depend on how the cluster fares, not on
 * how many calls there are.
 *
 * <p><b>Models, and why this one.</b> gRPC's retry throttling (gRFC A6, {@code
 * retryThrottling}: {@code maxTokens}, {@code tokenRatio}) keeps a token bucket that every failed
 * attempt drains by one and every success refills by {@code tokenRatio}, and refuses retries
 * below half the bucket. Its memory is counted in events, so it works at any rate, but the
 * bucket's level mixes two things: how often attempts fail, and how many failed attempts are
 * still waiting for their retry. With its usual ratio (0.1) one failing server in five drains it,
 * because each call that hits that server costs 1 and its successful retry gives back 0.1. With a
 * ratio large enough for that case, the bucket still dips by the number of calls between a
 * failure and its retry's success (backoff included: about 7 at 1,000 calls/s with one server
 * in five failing), so the bucket must be large, and a large bucket lets a storm through before it
 * closes. The success rate over the last N attempts is the same event-counted memory without that
 * coupling: one failing server in five keeps it near 80% (each failed attempt is followed by a
 * successful retry on another server, so 1 attempt in 1.2 to 1.25 succeeds), while a cluster whose every server fails shows 0% after {@code minAttempts} attempts. The window
 * counts attempts, not seconds, like Resilience4j's count-based circuit-breaker window, so the
 * throttle closes as fast at 1 call per minute as at 1,000 per second; a time window would forget
 * a dead cluster between two rare calls and let each of them retry.
 *
 * <p><b>Defaults</b> (window 20, at least 10 outcomes, 20% successes): a cluster where every
 * server fails closes the throttle after 10 failed attempts on a cold client (6 retries: 3 calls
 * each retried twice) and after 17 failures on a client whose window was full of successes (about
 * 11 retries); from then on each call costs one attempt, so over N calls attempts per call stay
 * below 1 + 11/N. One server in five failing leaves the window at about 80% successes (83% with
 * random picks; round robin sends the failing server a quarter of first attempts, because each
 * retry moves the rotation on past it); a window of 20 with 17 failures is then about as likely
 * as 17 heads in 20 tosses of a coin weighted 1 in 5 (below 10<sup>-9</sup>), and rarer in fact,
 * since each failure is followed by its retry's success. With random picks, three servers in
 * five failing keep it near 47%, four in five near 25%: retries continue, within the budget. The throttle stops only a cluster failing as a whole.
 *
 * <p><b>Worked example</b> (window 4, at least 2 outcomes, 50%): failure → 1 outcome, too few to
 * judge: retries allowed; failure → 0 of 2: refused; success → 1 of 3 (33%): refused; success →
 * 2 of 4 (50%): allowed; failure → the oldest failure leaves, 2 of 4: allowed; failure → 2 of 4:
 * allowed; failure → 1 of 4: refused.
 *
 * <p>What counts: {@link Outcome#SUCCESS} as a success, every {@link Outcome#isFailure() failure}
 * as a failure; {@link Outcome#CANCELLED} (a caller's cancel, a local error, a stale pooled
 * connection) says nothing about the servers and is not recorded. Outcomes are recorded when an
 * attempt's headers arrive or it fails, before its retry is planned.
 *
 * <p>Cost: O(1) per recorded outcome and per decision while the success rate is high; O(servers)
 * per decision while it is low. Under the throttle's lock, never held during I/O. Memory: one
 * boolean per window slot and one entry per server seen in the last {@code 10 × window} attempts.
 *
 * <p><b>One server's burst.</b> A low success rate alone can also mean that one server failed
 * many attempts at once: one black-holed server of five, whose timeouts arrive together after a
 * burst of calls, fills the window with failures while the other four keep answering (their
 * successes came earlier, and the retries' successes come after the backoff). So the throttle
 * also keeps each server's last outcome, and refuses only when no server's last outcome is a
 * success: retries can still route around a failing server while another one last succeeded. A
 * server's last outcome counts for {@code 10 × window} attempts after it was recorded (so a
 * server that left the cluster stops counting); outcomes recorded without a server (see {@link
 * #record(Outcome)}) fall back to the success rate alone.
 *
 * <p>Shared by lb-okhttp (configured by {@code RetryPolicy.Builder.throttle}) and the fleet
 * simulator, so that both run the same throttle.
 *
 * <p>Threading: thread-safe; shared by every call of one cluster of one wrapped client.
 */
public final class RetryThrottle {
  private final int minAttempts;
  private final int minSuccessPercent;
  /** The last outcomes, oldest at {@link #next} once full; true for a success. */
  private final boolean[] window;
  private int size;
  private int next;
  private int successes;
  /** Attempts recorded so far: the clock of {@link #lastByServer}. */
  private long recorded;
  /** How many attempts a server's last outcome counts for. */
  private final long horizon;
  /**
   * Each server's last outcome: its attempt number, negated for a failure. A holder per server,
   * updated in place: recording an outcome allocates nothing (a boxed {@code Long} per outcome
   * was most of this class's cost per attempt).
   */
  private final Map<String, Last> lastByServer = new HashMap<>();

  /** A server's last outcome, see {@link #lastByServer}. */
  private static final class Last {
    long value;
  }

  /**
   * A throttle over the last {@code window} attempts that refuses retries while at least {@code
   * minAttempts} outcomes are known and fewer than {@code minSuccessPercent}% of them succeeded;
   * {@code minSuccessPercent} 0 never refuses.
   *
   * @throws IllegalArgumentException naming the parameter, when one is out of range
   */
  public RetryThrottle(int window, int minAttempts, int minSuccessPercent) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1, was " + window);
    }
    if (minAttempts < 1 || minAttempts > window) {
      throw new IllegalArgumentException("minAttempts must be in [1, window = " + window + "], was " + minAttempts);
    }
    if (minSuccessPercent < 0 || minSuccessPercent > 100) {
      throw new IllegalArgumentException("minSuccessPercent must be in [0, 100], was " + minSuccessPercent);
    }
    this.window = new boolean[window];
    this.horizon = 10L * window;
    this.minAttempts = minAttempts;
    this.minSuccessPercent = minSuccessPercent;
  }

  /**
   * Records an attempt's outcome without its server: only the success rate judges. Outcomes that
   * are neither success nor failure are ignored.
   */
  public void record(Outcome outcome) {
    record(outcome, null);
  }

  /**
   * Records the outcome of an attempt on server {@code serverId} (null when unknown). Outcomes
   * that are neither success nor failure are ignored.
   */
  public void record(Outcome outcome, String serverId) {
    if (outcome == Outcome.SUCCESS) {
      add(true, serverId);
    } else if (outcome.isFailure()) {
      add(false, serverId);
    }
  }

  private synchronized void add(boolean success, String serverId) {
    recorded++;
    if (serverId != null) {
      lastByServer.computeIfAbsent(serverId, id -> new Last()).value = success ? recorded : -recorded;
      if (lastByServer.size() > horizon) {
        lastByServer.values().removeIf(l -> recorded - Math.abs(l.value) >= horizon);
      }
    }
    if (size == window.length) {
      if (window[next]) {
        successes--;
      }
    } else {
      size++;
    }
    window[next] = success;
    if (success) {
      successes++;
    }
    next = next + 1 == window.length ? 0 : next + 1;
  }

  /** Whether a retry may be planned now. */
  public synchronized boolean allowsRetry() {
    return allows();
  }

  /** The current level, for counters and gauges. */
  public synchronized Level level() {
    return new Level(size, successes, allows());
  }

  /**
   * The rule: too few outcomes to judge, or enough successes among them, or a server whose last
   * outcome, recent enough, was a success.
   */
  private boolean allows() {
    return size < minAttempts || (long) successes * 100 >= (long) minSuccessPercent * size || aServerLastSucceeded();
  }

  private boolean aServerLastSucceeded() {
    lastByServer.values().removeIf(l -> recorded - Math.abs(l.value) >= horizon);
    for (Last last : lastByServer.values()) {
      if (last.value > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * The throttle's window as read at one instant: how many outcomes it holds, how many of them
   * were successes, and whether it allowed retries.
   */
  public record Level(int attempts, int successes, boolean allowsRetry) {}
}
