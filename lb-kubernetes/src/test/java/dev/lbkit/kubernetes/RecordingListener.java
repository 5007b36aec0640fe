package dev.lbkit.kubernetes;

import static org.junit.jupiter.api.Assertions.fail;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records what a source pushes, and waits, with a bound, for what a test expects. */
final class RecordingListener implements ServerSource.Listener {

  /** How long a test waits for the informer: generous, for a loaded two-core machine. */
  static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(20);

  /** One push: the full list and its draining subset. */
  static final class Push {
    final List<Server> servers;
    final List<Server> draining;

    Push(List<Server> servers, List<Server> draining) {
      this.servers = servers;
      this.draining = draining;
    }

    @Override
    public String toString() {
      return servers + " draining " + draining;
    }
  }

  private final List<Push> pushes = new ArrayList<>();
  private final List<Throwable> errors = new ArrayList<>();

  @Override
  public synchronized void onServers(List<Server> servers) {
    onServers(servers, List.of());
  }

  @Override
  public synchronized void onServers(List<Server> servers, Collection<Server> draining) {
    pushes.add(new Push(List.copyOf(servers), List.copyOf(draining)));
    notifyAll();
  }

  @Override
  public synchronized void onError(Throwable error) {
    errors.add(error);
    notifyAll();
  }

  synchronized List<Push> pushes() {
    return List.copyOf(pushes);
  }

  synchronized List<Throwable> errors() {
    return List.copyOf(errors);
  }

  /** Waits until the last push has exactly these servers and this draining subset. */
  Push awaitLast(List<Server> servers, List<Server> draining) {
    return awaitPush(p -> p.servers.equals(servers) && p.draining.equals(draining),
        "servers " + servers + " draining " + draining);
  }

  /** Waits until the last push has exactly these servers, none draining. */
  Push awaitLast(Server... servers) {
    return awaitLast(List.of(servers), List.of());
  }

  synchronized Push awaitPush(Predicate<Push> condition, String what) {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (pushes.isEmpty() || !condition.test(pushes.get(pushes.size() - 1))) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        fail("expected a push of " + what + "; pushes were " + pushes + ", errors " + errors);
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted");
      }
    }
    return pushes.get(pushes.size() - 1);
  }

  /** Waits until at least {@code count} errors were reported. */
  synchronized void awaitErrors(int count) {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (errors.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        fail("expected " + count + " errors; got " + errors + ", pushes " + pushes);
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted");
      }
    }
  }
}
