package dev.lbkit.algorithms;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Array;

/**
 * A rotation over N positions, from a shared int counter that never wraps: a pick takes the
 * counter's next value, and a value at or past N is reduced modulo N and written back with one
 * CAS, as grpc-java's round-robin {@code ReadyPicker} did (1.85.1, the version the benchmarks
 * compare with, takes the remainder of every increment instead and lets the counter wrap). A pick
 * pays a division only when it crosses N, once per rotation, instead of on every pick, and the
 * counter stays below 2N.
 *
 * <p>When a racing pick moves the counter on first, the CAS fails and the next pick past N
 * reduces it; every value handed out is still a distinct step, so K picks, racing or not, give
 * each position K / N picks, give or take one.
 *
 * <p><b>Short cycles are repeated.</b> Over three servers the reduction came every third pick: a
 * division and a second atomic instruction. A picker whose cycle is shorter than {@link
 * #MIN_POSITIONS} rotates over the cycle repeated to a whole number of copies of at least that
 * many positions ({@link #repeated}): the same sequence, reduced once per {@link #MIN_POSITIONS}
 * picks or more. Round robin over three servers measured 0.8 to 1.4 ns less per request this way
 * (benchmarks/README.md, "Repeated short cycles").
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

  /** The fewest positions a picker rotates over; see the class comment. */
  static final int MIN_POSITIONS = 64;

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

  /**
   * {@code cycle}, an array of any element type, repeated to a whole number of copies of at least
   * {@link #MIN_POSITIONS}; the array itself when it is that long already.
   */
  static <A> A repeated(A cycle) {
    int n = Array.getLength(cycle);
    if (n >= MIN_POSITIONS) {
      return cycle;
    }
    int length = n * ((MIN_POSITIONS + n - 1) / n);
    @SuppressWarnings("unchecked") // an array of cycle's own component type
    A positions = (A) Array.newInstance(cycle.getClass().getComponentType(), length);
    for (int at = 0; at < length; at += n) {
      System.arraycopy(cycle, 0, positions, at, n);
    }
    return positions;
  }
}
