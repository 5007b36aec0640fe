package dev.lbkit.micrometer;

import dev.lbkit.okhttp.LbAttempt;
import io.micrometer.observation.Observation;
import java.util.Arrays;
import okhttp3.Call;

/**
 * The observations in flight on one thread: a stack of calls, each with its observation and the
 * observation of its current attempt. {@link CallObservations} keeps one per thread.
 *
 * <p>Why a stack per thread, not a concurrent map per listener: {@link
 * dev.lbkit.okhttp.LbEventListener} sends the events of one call in order from the thread that
 * runs it, {@code callStarted} first and {@code callEnded} last, and a call made while another
 * runs on the same thread (from an interceptor or an authenticator) starts and ends within it.
 * So the call an event names is the top of this stack, or just below it, and finding it is an
 * identity comparison, where a concurrent map costs a lock per removal and a node per insert
 * (about a seventh of the tracing's cost per call, in a JFR profile of {@code
 * benchmarks/run.sh paired listener=tracing}).
 *
 * <p>Threading: confined to its thread.
 */
final class InFlight {
  private Call[] calls = new Call[4];
  private Observation[] callObservations = new Observation[4];
  private LbAttempt[] attempts = new LbAttempt[4];
  private Observation[] attemptObservations = new Observation[4];
  private int size;

  /** A call started, observed by {@code observation}. */
  void push(Call call, Observation observation) {
    if (size == calls.length) {
      int n = size * 2;
      calls = Arrays.copyOf(calls, n);
      callObservations = Arrays.copyOf(callObservations, n);
      attempts = Arrays.copyOf(attempts, n);
      attemptObservations = Arrays.copyOf(attemptObservations, n);
    }
    calls[size] = call;
    callObservations[size] = observation;
    size++;
  }

  /** The observation of {@code call}, or null when it has none on this thread. */
  Observation call(Call call) {
    int i = indexOf(call);
    return i < 0 ? null : callObservations[i];
  }

  /** {@code call} ended: forgets it and returns its observation, or null when it has none. */
  Observation popCall(Call call) {
    int i = indexOf(call);
    if (i < 0) {
      return null;
    }
    Observation o = callObservations[i];
    int after = size - i - 1;
    System.arraycopy(calls, i + 1, calls, i, after);
    System.arraycopy(callObservations, i + 1, callObservations, i, after);
    System.arraycopy(attempts, i + 1, attempts, i, after);
    System.arraycopy(attemptObservations, i + 1, attemptObservations, i, after);
    size--;
    calls[size] = null;
    callObservations[size] = null;
    attempts[size] = null;
    attemptObservations[size] = null;
    return o;
  }

  /** {@code attempt} of a call in flight started, observed by {@code observation}; false when its call has none. */
  boolean startAttempt(LbAttempt attempt, Observation observation) {
    int i = indexOf(attempt.call());
    if (i < 0) {
      return false;
    }
    attempts[i] = attempt;
    attemptObservations[i] = observation;
    return true;
  }

  /** {@code attempt} ended: forgets it and returns its observation, or null when it has none. */
  Observation endAttempt(LbAttempt attempt) {
    int i = indexOf(attempt.call());
    if (i < 0 || attempts[i] != attempt) {
      return null;
    }
    Observation o = attemptObservations[i];
    attempts[i] = null;
    attemptObservations[i] = null;
    return o;
  }

  private int indexOf(Call call) {
    for (int i = size - 1; i >= 0; i--) {
      if (calls[i] == call) {
        return i;
      }
    }
    return -1;
  }
}
