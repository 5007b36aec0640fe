package dev.lbkit.okhttp;

/**
 * One live rate limiter: the counter of one {@link RateLimit} for one scope value (the whole
 * client, one cluster or one key). A {@link RateLimiterBackend} creates it; lbkit calls it from
 * every calling thread to take one permit per request.
 *
 * <p><b>Exactly once.</b> {@link #tryAcquire} returning {@code 0} means that exactly one permit
 * was taken for this call; any other return means that none was taken, and the call is refused
 * or waits and asks again. A backend that cannot tell whether a remote store took the permit
 * (a reply lost or timed out) must answer "not taken": the shared limit may then lose a permit,
 * but it never grants more than it holds. {@link #release} is called at most once per granted
 * permit, with the very {@code nowNanos} that {@link #tryAcquire} was given, and only for a call
 * that a later limit refused, so a refused call consumes nothing.
 *
 * <p><b>Threading.</b> Both methods are called concurrently from any calling thread, never under
 * an lbkit lock. They must be safe under concurrency and must return within a bounded time:
 * a backend that waits on a remote store bounds that wait with its own timeout. They must not
 * throw: a backend maps its failures to a grant or a refusal, as its configuration says.
 *
 * <p><b>Time.</b> {@code nowNanos} is a reading of the client's {@link dev.lbkit.api.Ticker}
 * ({@link LbConfig.Builder#ticker}); only differences between readings are meaningful. A backend
 * shared by several processes needs a clock that those processes agree on, so it may keep its
 * own injected clock for the shared state, and use {@code nowNanos} for its local state.
 */
public interface RateLimiter {

  /**
   * Takes one permit at {@code nowNanos}, or none.
   *
   * @return {@code 0} when exactly one permit was taken; otherwise a positive number of
   *     nanoseconds until a permit may be free (a hint for waiting; nothing was taken)
   */
  long tryAcquire(long nowNanos);

  /**
   * Gives back the permit that {@link #tryAcquire} granted at {@code grantedAtNanos}, for a call
   * that a later limit refused: the state becomes what it would be had that permit never been
   * taken (as far as it still matters: a permit of a window that has ended is not restored).
   * Best effort for a remote store: a failure to give it back is not reported.
   */
  void release(long grantedAtNanos);
}
