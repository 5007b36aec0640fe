package dev.lbkit.api;

/**
 * Picks one server for one request.
 *
 * <p>Pickers are immutable snapshots, or views of one; {@link #pick} is lock-free and safe to
 * call from any number of threads. It never returns null: with nothing to pick it throws
 * {@link NoAvailableServerException}, which says why.
 */
@FunctionalInterface
public interface Picker {

  /**
   * Picks a server for a request described by {@code context}.
   *
   * @param context the request's hash key, servers to avoid and attributes; use {@link
   *     PickContext#EMPTY} when there are none
   * @return the selection; report its outcome through {@link Selection#complete}
   * @throws NoAvailableServerException when no server may be picked
   */
  Selection pick(PickContext context);

  /** Picks with {@link PickContext#EMPTY}. */
  default Selection pick() {
    return pick(PickContext.EMPTY);
  }
}
