package dev.lbkit.algorithms;

import java.lang.invoke.VarHandle;

/**
 * The step of a rotation over N positions, from a shared int counter that never wraps: a pick
 * takes the counter's next value, and a value at or past N is reduced modulo N and written back
 * with one CAS, as grpc-java's round-robin {@code ReadyPicker} does. A pick pays a division only
 * when it crosses N, once per rotation, instead of on every pick, and the counter stays below 2N.
 *
 * <p>When a racing pick moves the counter on first, the CAS fails and the next pick past N
 * reduces it; every value handed out is still a distinct step, so K picks, racing or not, give
 * each position K / N picks, give or take one.
 *
 * <p>Lock-free; the counter is an {@code int} field of the caller's, reached through its {@link
 * VarHandle}.
 */
final class Rotation {

  private Rotation() {}

  /** The next position in [0, n) of the counter {@code counter} of {@code owner}. */
  static int next(VarHandle counter, Object owner, int n) {
    int i = (int) counter.getAndAdd(owner, 1);
    if (i >= n || i < 0) {
      int taken = i;
      i = Math.floorMod(i, n);
      counter.compareAndSet(owner, taken + 1, i + 1);
    }
    return i;
  }
}
