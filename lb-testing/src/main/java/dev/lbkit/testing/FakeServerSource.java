package dev.lbkit.testing;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ServerSource} that pushes when the test says so: give it to a {@code LoadBalancer}
 * (or to a source that combines sources), then {@link #push} lists and {@link #fail} errors.
 *
 * <pre>{@code
 * FakeServerSource source = new FakeServerSource();
 * LoadBalancer lb = LoadBalancer.builder("users").source(source).build();
 * source.push(a, b);
 * source.fail(new IOException("registry unreachable"));   // the balancer keeps a, b
 * }</pre>
 *
 * <p>Lists go to the listener as given, unchecked and uncopied, so a test can also check how the
 * receiver handles a bad list (a null element, a duplicate).
 *
 * <p><b>Threading.</b> Thread-safe; {@code push} and {@code fail} call the listener on the
 * calling thread.
 */
public final class FakeServerSource implements ServerSource {

  private volatile Listener listener;
  private final AtomicInteger closes = new AtomicInteger();

  /**
   * Remembers {@code listener}; pushes nothing.
   *
   * @throws IllegalStateException when called a second time
   */
  @Override
  public synchronized void start(Listener listener) {
    if (this.listener != null) {
      throw new IllegalStateException("start may be called once, was called twice on " + this);
    }
    this.listener = listener;
  }

  /**
   * The listener given to {@code start}.
   *
   * @throws IllegalStateException when the source was not started
   */
  public Listener listener() {
    Listener l = listener;
    if (l == null) {
      throw new IllegalStateException("FakeServerSource was not started: give it to a LoadBalancer or a source first");
    }
    return l;
  }

  /** Whether {@code start} was called. */
  public boolean isStarted() {
    return listener != null;
  }

  /** Pushes {@code servers}, as given, as the full current list. */
  public void push(List<Server> servers) {
    listener().onServers(servers);
  }

  /** Pushes {@code servers} as the full current list. */
  public void push(Server... servers) {
    push(Arrays.asList(servers));
  }

  /**
   * Pushes {@code servers}, as given, as the full current list, of which {@code draining} are
   * draining (through {@link Listener#onServers(List, Collection)}).
   */
  public void push(List<Server> servers, Collection<Server> draining) {
    listener().onServers(servers, draining);
  }

  /** Reports {@code error} through {@link Listener#onError}. */
  public void fail(Throwable error) {
    listener().onError(error);
  }

  /** Records the call; there is nothing to release. */
  @Override
  public void close() {
    closes.incrementAndGet();
  }

  /** How many times {@code close} was called: a source is closed once, however often. */
  public int closeCount() {
    return closes.get();
  }

  /** Whether {@code close} was called. */
  public boolean isClosed() {
    return closes.get() > 0;
  }

  @Override
  public String toString() {
    return "FakeServerSource";
  }
}
