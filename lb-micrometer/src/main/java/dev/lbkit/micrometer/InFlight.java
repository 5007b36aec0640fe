package dev.lbkit.micrometer;

import dev.lbkit.okhttp.LbAttempt;
import io.micrometer.observation.Observation;
import java.util.ArrayList;
import java.util.List;
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
 * (its removals were 12 of the 87 samples with a Micrometer frame in a JFR profile of {@code
 * benchmarks/run.sh paired listener=tracing}).
 *
 * <p>Threading: confined to its thread.
 */
final class InFlight {
  /** The calls in flight on this thread, the innermost last. */
  private final List<Frame> frames = new ArrayList<>(4);

  /** One call in flight: its observation and its current attempt's. */
  private static final class Frame {
    final Call call;
    final Observation observation;
    LbAttempt attempt;
    Observation attemptObservation;

    Frame(Call call, Observation observation) {
      this.call = call;
      this.observation = observation;
    }
  }

  /** A call started, observed by {@code observation}. */
  void push(Call call, Observation observation) {
    frames.add(new Frame(call, observation));
  }

  /** The observation of {@code call}, or null when it has none on this thread. */
  Observation call(Call call) {
    Frame f = frame(call);
    return f == null ? null : f.observation;
  }

  /** {@code call} ended: forgets it and returns its observation, or null when it has none. */
  Observation popCall(Call call) {
    int i = indexOf(call);
    return i < 0 ? null : frames.remove(i).observation;
  }

  /** {@code attempt} of a call in flight started, observed by {@code observation}; false when its call has none. */
  boolean startAttempt(LbAttempt attempt, Observation observation) {
    Frame f = frame(attempt.call());
    if (f == null) {
      return false;
    }
    f.attempt = attempt;
    f.attemptObservation = observation;
    return true;
  }

  /** {@code attempt} ended: forgets it and returns its observation, or null when it has none. */
  Observation endAttempt(LbAttempt attempt) {
    Frame f = frame(attempt.call());
    if (f == null || f.attempt != attempt) {
      return null;
    }
    Observation o = f.attemptObservation;
    f.attempt = null;
    f.attemptObservation = null;
    return o;
  }

  private Frame frame(Call call) {
    int i = indexOf(call);
    return i < 0 ? null : frames.get(i);
  }

  /** The index of {@code call}'s frame, searched from the innermost; -1 when it has none. */
  private int indexOf(Call call) {
    for (int i = frames.size() - 1; i >= 0; i--) {
      if (frames.get(i).call == call) {
        return i;
      }
    }
    return -1;
  }
}
