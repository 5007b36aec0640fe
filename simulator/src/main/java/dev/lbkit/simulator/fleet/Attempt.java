package dev.lbkit.simulator.fleet;

import dev.lbkit.api.Selection;

/**
 * One try of a request at one server: the lbkit {@link Selection} it came from, and the state
 * that makes its report happen exactly once, whether the answer or the timeout comes first.
 *
 * <p>Open attempts form an intrusive list in the {@link Simulation}, so that those still open
 * when the run stops can be cancelled without a set lookup per attempt.
 */
final class Attempt {
  final Request request;
  final Selection selection;
  final SimServer server;
  final long sentNanos;
  boolean done;
  /** The worker slot while in service, else -1. */
  int slot = -1;
  Attempt previous;
  Attempt next;

  Attempt(Request request, Selection selection, SimServer server, long sentNanos) {
    this.request = request;
    this.selection = selection;
    this.server = server;
    this.sentNanos = sentNanos;
  }
}
