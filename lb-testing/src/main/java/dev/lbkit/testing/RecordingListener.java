package dev.lbkit.testing;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A {@link ServerSource.Listener} for testing a server source: records what the source pushes
 * (each full list and its draining servers) and its errors, and waits, with a bound, for a list or
 * an error to arrive.
 *
 * <pre>{@code
 * RecordingListener listener = new RecordingListener();
 * source.start(listener);
 * listener.awaitIds(List.of("10.0.0.1:8080"), Duration.ofSeconds(5));
 * }</pre>
 *
 * <p><b>Threading.</b> Thread-safe: the source may push from any thread while the test waits.
 */
public final class RecordingListener implements ServerSource.Listener {

  private final List<List<Server>> lists = new ArrayList<>();
  private final List<Set<String>> draining = new ArrayList<>();
  private final List<Throwable> errors = new ArrayList<>();

  @Override
  public synchronized void onServers(List<Server> servers) {
    onServers(servers, List.of());
  }

  @Override
  public synchronized void onServers(List<Server> servers, Collection<Server> drainingServers) {
    lists.add(servers);
    draining.add(ServerSource.drainingIds(servers, drainingServers));
    notifyAll();
  }

  /** The ids of the draining servers of the last list pushed. */
  public synchronized Set<String> lastDraining() {
    return draining.isEmpty() ? null : draining.get(draining.size() - 1);
  }

  @Override
  public synchronized void onError(Throwable error) {
    errors.add(error);
    notifyAll();
  }

  /** Every list pushed, in order. */
  public synchronized List<List<Server>> lists() {
    return List.copyOf(lists);
  }

  /** Every error reported, in order. */
  public synchronized List<Throwable> errors() {
    return List.copyOf(errors);
  }

  /** The last list pushed, or null. */
  public synchronized List<Server> last() {
    return lists.isEmpty() ? null : lists.get(lists.size() - 1);
  }

  /** The ids of the last list pushed, or null. */
  public synchronized List<String> lastIds() {
    List<Server> l = last();
    return l == null ? null : l.stream().map(Server::id).collect(Collectors.toList());
  }

  /** Waits until the last list pushed satisfies {@code condition}; fails after {@code timeout}. */
  public synchronized List<Server> awaitList(Predicate<List<Server>> condition, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (last() == null || !condition.test(last())) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no list with " + what + " within " + timeout + "; lists pushed: " + lists + "; errors: " + errors);
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return last();
  }

  /** Waits until the last list's ids equal {@code ids}. */
  public List<Server> awaitIds(List<String> ids, Duration timeout) throws InterruptedException {
    return awaitList(l -> l.stream().map(Server::id).collect(Collectors.toList()).equals(ids), timeout, "ids " + ids);
  }

  /** Waits until an error whose message contains {@code text} arrives; fails after {@code timeout}. */
  public synchronized Throwable awaitError(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (Throwable t : errors) {
        if (String.valueOf(t.getMessage()).contains(text)) {
          return t;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no error containing '" + text + "' within " + timeout + "; errors: " + errors);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }
}
