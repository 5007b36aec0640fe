package dev.lbkit.algorithms;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A rotation over N positions, from a shared int counter that never wraps: a pick takes the
 * counter's next value, and a value at or past N is reduced modulo N and written back with one
 * CAS, as grpc-java's round-robin {@code ReadyPicker} does. A pick pays a division only when it
 * crosses N, once per rotation, instead of on every pick, and the counter stays below 2N.
 *
 * <p>When a racing pick moves the counter on first, the CAS fails and the next pick past N
 * reduces it; every value handed out is still a distinct step, so K picks, racing or not, give
 * each position K / N picks, give or take one.
 *
 * <p>The pickers that rotate extend this class, so that the counter's {@link VarHandle} is a
 * constant wherever {@link #nextPosition} is compiled. (Passed in as an argument, it was a
 * constant only where the method was inlined; compiled on its own, each access went through the
 * handle's generic checks: a round-robin pick took 17 ns instead of 8.)
 *
 * <p>Lock-free.
 */
abstract class Rotation {

  private static final VarHandle NEXT;

  static {
    try {
      NEXT = MethodHandles.lookup().findVarHandle(Rotation.class, "next", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // accessed through NEXT
  private volatile int next;

  /** A rotation whose first position is {@code start}, in [0, N). */
  Rotation(int start) {
    this.next = start;
  }

  /** The next position in [0, n). */
  final int nextPosition(int n) {
    int i = (int) NEXT.getAndAdd(this, 1);
    if (i >= n || i < 0) {
      int taken = i;
      i = Math.floorMod(i, n);
      NEXT.compareAndSet(this, taken + 1, i + 1);
    }
    return i;
  }
}
