package dev.lbkit.simulator.fleet;

import dev.lbkit.api.PickContext;

/** One logical request of one client: its first pick, its retries, its final answer. */
final class Request {
  final SimClient client;
  final long startNanos;
  /** The closed-loop user that sent it, or -1 in an open loop. */
  final int user;
  PickContext context;
  int attempts;

  Request(SimClient client, long startNanos, int user, PickContext context) {
    this.client = client;
    this.startNanos = startNanos;
    this.user = user;
    this.context = context;
  }
}
