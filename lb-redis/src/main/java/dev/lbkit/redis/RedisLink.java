package dev.lbkit.redis;

import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Redis connection of a {@link RedisRateLimiterBackend}, Bucket4j's proxy manager over
 * it, and whether Redis answers.
 *
 * <p><b>Connection.</b> Lettuce multiplexes every call over one connection and reconnects by
 * itself once connected, with a delay growing from {@link #RECONNECT_MIN} to {@link
 * #RECONNECT_MAX}. While disconnected it rejects commands at once ({@code REJECT_COMMANDS})
 * instead of queueing them, so an outage costs no waiting. The first connection is opened by the
 * first call (so a backend builds while Redis is down), and retried by later calls.
 *
 * <p><b>Reachability.</b> A call that fails or times out marks Redis unreachable; one that
 * succeeds marks it reachable. Each change is logged once. While unreachable, one call per
 * probe interval (the timeout, on the client's ticker) tries Redis; the others go straight to the
 * fallback, so a Redis that accepts connections but never answers delays at most one call per
 * interval, by at most the timeout.
 *
 * <p><b>Time.</b> The timeout on Redis bounds real time, as Lettuce's own timeouts do, so it is
 * measured with {@code System.nanoTime()}; the probe interval and the buckets read the injected
 * clocks.
 *
 * <p>Threading: every method may be called from any thread. The connection is opened under a lock
 * held at most for the timeout; the state is atomics and volatile fields.
 */
final class RedisLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisRateLimiterBackend.class);

  /** First reconnect delay after Redis drops the connection: a restart is noticed within tens of ms. */
  static final Duration RECONNECT_MIN = Duration.ofMillis(20);
  /** Longest reconnect delay: the shared limits resume at most this long after Redis is back. */
  static final Duration RECONNECT_MAX = Duration.ofSeconds(1);
  /** Lettuce's event-loop and computation threads: a rate limiter's traffic needs few. */
  static final int THREADS = 2;
  /** How long closing waits for Lettuce's threads to stop. */
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

  private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final String name;
  private final RedisURI uri;
  private final long timeoutNanos;
  private final boolean failOpen;
  private final TimeMeter clock;
  private final ExpirationAfterWriteStrategy expiry;
  private final ClientResources resources;
  private final RedisClient client;
  private final ReentrantLock connectLock = new ReentrantLock();
  private final AtomicBoolean reachable = new AtomicBoolean(true);
  private final AtomicLong nextProbeNanos = new AtomicLong();
  private final AtomicLong transitions = new AtomicLong();
  private volatile StatefulRedisConnection<String, byte[]> connection;
  private volatile AsyncProxyManager<String> proxy;
  private final AtomicBoolean closed = new AtomicBoolean();

  RedisLink(String name, RedisURI uri, Duration timeout, boolean failOpen, TimeMeter clock, ExpirationAfterWriteStrategy expiry) {
    this.name = name;
    this.uri = uri;
    this.timeoutNanos = timeout.toNanos();
    this.failOpen = failOpen;
    this.clock = clock;
    this.expiry = expiry;
    this.resources = ClientResources.builder()
        .ioThreadPoolSize(THREADS)
        .computationThreadPoolSize(THREADS)
        .reconnectDelay(Delay.exponential(RECONNECT_MIN, RECONNECT_MAX, 2, TimeUnit.MILLISECONDS))
        .build();
    this.client = RedisClient.create(resources);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
        .build());
  }

  long timeoutNanos() {
    return timeoutNanos;
  }

  /**
   * The proxy manager to ask, or null when this call should use the fallback: Redis is marked
   * unreachable and it is not this call's turn to probe, or no connection could be opened
   * before {@code deadline} ({@code System.nanoTime()}).
   */
  AsyncProxyManager<String> proxyForCall(long nowNanos, long deadline) {
    if (closed.get()) {
      return null;
    }
    if (!reachable.get()) {
      long next = nextProbeNanos.get();
      if (nowNanos - next < 0 || !nextProbeNanos.compareAndSet(next, nowNanos + timeoutNanos)) {
        return null;
      }
    }
    AsyncProxyManager<String> p = proxy;
    return p != null ? p : connect(nowNanos, deadline);
  }

  private AsyncProxyManager<String> connect(long nowNanos, long deadline) {
    boolean first;
    try {
      first = connectLock.tryLock();
      if (!first && !connectLock.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
        return null;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    try {
      if (proxy != null || closed.get() || !first) {
        // Another call opened it (or just failed to: this call does not try again).
        return proxy;
      }
      StatefulRedisConnection<String, byte[]> c = client.connect(CODEC, uri);
      connection = c;
      proxy = Bucket4jLettuce.casBasedBuilder(c).clientClock(clock).expirationAfterWrite(expiry).build().asAsync();
      return proxy;
    } catch (RuntimeException e) {
      failed(nowNanos, e);
      return null;
    } finally {
      connectLock.unlock();
    }
  }

  /** Redis answered a call. */
  void succeeded() {
    if (!reachable.get() && reachable.compareAndSet(false, true)) {
      transitions.incrementAndGet();
      log.info("{}: Redis answers again; the shared rate limits resume", name);
    }
  }

  /** A call to Redis failed or timed out at {@code nowNanos} (client ticker). */
  void failed(long nowNanos, Throwable cause) {
    nextProbeNanos.set(nowNanos + timeoutNanos);
    if (reachable.get() && reachable.compareAndSet(true, false)) {
      transitions.incrementAndGet();
      log.warn("{}: Redis is unreachable ({}); {} until it answers again", name, describe(cause),
          failOpen ? "failing open: each client process enforces the limits on its own"
              : "failing closed: calls under its limits are refused");
    }
  }

  /** Whether the last call to Redis succeeded (true before any call). */
  boolean reachable() {
    return reachable.get();
  }

  /** How many times reachability changed; each change was logged once. */
  long transitions() {
    return transitions.get();
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message != null ? ": " + message : "");
  }

  /** Closes the connection and stops Lettuce's threads, waiting a bounded time for them. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    connectLock.lock();
    try {
      StatefulRedisConnection<String, byte[]> c = connection;
      connection = null;
      proxy = null;
      if (c != null) {
        c.close();
      }
    } finally {
      connectLock.unlock();
    }
    client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
    resources.shutdown(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).awaitUninterruptibly(SHUTDOWN_TIMEOUT.toMillis());
  }

  @Override
  public String toString() {
    return name;
  }
}
