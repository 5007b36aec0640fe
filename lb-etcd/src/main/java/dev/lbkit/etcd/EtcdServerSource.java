package dev.lbkit.etcd;

import dev.lbkit.api.ServerSource;
import dev.lbkit.api.internal.RegistryList;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers under one key prefix in etcd: a read of the whole prefix, then a watch from the
 * revision after that read, the pattern etcd documents for a consistent cache ("get, then watch
 * from revision + 1") and that gRPC's etcd naming resolver uses.
 *
 * <p><b>Resynchronisation.</b> Any error of the watch (its start revision was compacted away,
 * the connection broke, etcd restarted, lost its leader) ends it, and the source reads the whole
 * prefix again and watches from the revision of that read. jetcd would resume a broken watch by
 * itself, but not one whose revision was compacted, and a fresh read is correct in every case.
 * A read that fails is retried after {@code retryDelay}, doubled after each failure up to {@link
 * EtcdSourceBuilder#MAX_RETRY_DELAY}. Meanwhile nothing is pushed: the balancer keeps the last
 * list, and each failure is reported through the listener's {@code onError}.
 *
 * <p><b>Draining.</b> A server whose value says {@code "state": "draining"} is pushed among the
 * draining servers ({@link ServerSource.Listener#onServers(List, java.util.Collection)}): the
 * balancer keeps it, gives it no new picks, and lets its in-flight calls finish. A registrant
 * marks itself draining before it deregisters, the way Kubernetes reports a terminating endpoint.
 *
 * <p><b>Leases.</b> A key written with a lease is deleted by etcd when the lease expires; the
 * watch sees the deletion like any other, so a registrant that dies leaves the list one lease
 * TTL later.
 *
 * <p><b>Threading.</b> Every read, every watch event and every push runs on one thread that the
 * source owns ({@code lbkit-etcd-<prefix>}): jetcd's callbacks only hand events over to it, so
 * the state below needs no lock and pushes are never reordered. Events of a watch that was
 * replaced are recognised by its generation and dropped. {@link #close} stops the thread (a read
 * in progress is abandoned), then cancels the watch and, when the source made it, closes the
 * jetcd client, whose threads end shortly after.
 */
final class EtcdServerSource implements ServerSource {

  private static final Logger log = LoggerFactory.getLogger(EtcdServerSource.class);

  private final String prefix;
  private final ByteSequence prefixBytes;
  private final List<String> endpoints;
  private final Client sharedClient;
  private final Duration requestTimeout;
  private final Duration retryDelay;
  private final boolean keepLastOnEmpty;
  private final ScheduledExecutorService thread;

  /** How long {@link #close} waits for the source's thread to finish what it is doing. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  /** Runs after each read of the prefix, before its watch starts; tests force a compaction there. */
  volatile Runnable afterRead = () -> {};

  private volatile boolean closed;
  private Listener listener;

  // Confined to the source's thread.
  private Client client;
  private Watch.Watcher watcher;
  private long generation;
  private Duration nextRetry;
  private final Map<String, byte[]> values = new HashMap<>();
  private final RegistryList list;

  EtcdServerSource(EtcdSourceBuilder b) {
    this.prefix = b.prefix;
    this.prefixBytes = ByteSequence.from(b.prefix, StandardCharsets.UTF_8);
    this.endpoints = b.endpoints == null ? null : List.copyOf(b.endpoints);
    this.sharedClient = b.client;
    this.requestTimeout = b.requestTimeout;
    this.retryDelay = b.retryDelay;
    this.nextRetry = b.retryDelay;
    this.keepLastOnEmpty = b.keepLastOnEmpty;
    this.list = new RegistryList(ServerValue::parse, keepLastOnEmpty);
    String name = b.threadName();
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public synchronized void start(Listener listener) {
    if (this.listener != null) {
      throw new IllegalStateException("start may be called once, was called twice on " + this);
    }
    this.listener = listener;
    run(this::resync);
  }

  /** Runs {@code task} on the source's thread, unless the source is closed. */
  private void run(Runnable task) {
    try {
      thread.execute(task);
    } catch (RejectedExecutionException closedMeanwhile) {
      // close() won: nothing more to do
    }
  }

  private void resync() {
    if (closed) {
      return;
    }
    cancelWatch();
    if (client == null) {
      client = sharedClient != null ? sharedClient : Client.builder().endpoints(endpoints.toArray(new String[0])).build();
    }
    GetResponse read;
    CompletableFuture<GetResponse> future =
        client.getKVClient().get(prefixBytes, GetOption.builder().isPrefix(true).build());
    try {
      read = future.get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      return; // closing
    } catch (ExecutionException | TimeoutException e) {
      future.cancel(true);
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      notifyError(new IOException(prefix + ": reading the prefix from etcd failed (" + cause + "); "
          + list.kept() + "; retrying in " + nextRetry, cause));
      retryLater();
      return;
    }
    long revision = read.getHeader().getRevision();
    values.clear();
    for (KeyValue kv : read.getKvs()) {
      values.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().getBytes());
    }
    nextRetry = retryDelay;
    publish();
    afterRead.run();
    long watching = ++generation;
    WatchOption option = WatchOption.builder().isPrefix(true).withRevision(revision + 1).build();
    watcher = client.getWatchClient().watch(prefixBytes, option, Watch.listener(
        response -> run(() -> onEvents(watching, response)),
        error -> run(() -> onWatchError(watching, error))));
    log.debug("{}: read {} keys at revision {}; watching from {}", prefix, values.size(), revision, revision + 1);
  }

  private void retryLater() {
    Duration delay = nextRetry;
    nextRetry = nextRetry.multipliedBy(2).compareTo(EtcdSourceBuilder.MAX_RETRY_DELAY) > 0
        ? EtcdSourceBuilder.MAX_RETRY_DELAY
        : nextRetry.multipliedBy(2);
    try {
      thread.schedule(this::resync, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closedMeanwhile) {
      // closed
    }
  }

  private void onEvents(long watching, WatchResponse response) {
    if (closed || watching != generation) {
      return; // an event of a watch that was replaced
    }
    for (WatchEvent event : response.getEvents()) {
      String key = event.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
      if (event.getEventType() == WatchEvent.EventType.PUT) {
        values.put(key, event.getKeyValue().getValue().getBytes());
      } else if (event.getEventType() == WatchEvent.EventType.DELETE) {
        values.remove(key);
      }
    }
    publish();
  }

  private void onWatchError(long watching, Throwable error) {
    if (closed || watching != generation) {
      return;
    }
    notifyError(new IOException(prefix + ": the etcd watch failed (" + error + "); " + list.kept()
        + "; reading the prefix again", error));
    resync();
  }

  private void cancelWatch() {
    generation++;
    if (watcher != null) {
      try {
        watcher.close();
      } catch (RuntimeException e) {
        log.debug("{}: closing the old watch failed", prefix, e);
      }
      watcher = null;
    }
  }

  private void publish() {
    RegistryList.Update update = list.read(values);
    update.newProblems().forEach((key, problem) -> log.warn("{}: key {} is left out: {}", prefix, key, problem));
    if (update.emptyHeldBack()) {
      log.warn("{}: no valid server is registered; keeping the last list of {} servers"
          + " (set keepLastOnEmpty(false) to allow an empty cluster)", prefix, list.lastPushed().size());
    }
    if (!update.push()) {
      return;
    }
    log.info("{}: {} servers, {} draining", prefix, update.servers().size(), update.draining().size());
    try {
      listener.onServers(update.servers(), update.draining());
    } catch (RuntimeException e) {
      log.error("{}: listener failed on a new server list", prefix, e);
    }
  }

  private void notifyError(Throwable error) {
    log.warn("{}", error.getMessage());
    try {
      listener.onError(error);
    } catch (RuntimeException e) {
      log.error("{}: listener failed on an error", prefix, e);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    // Interrupts a read in progress (its wait ends at once) and drops queued work; once the
    // thread has ended, its state is safe to touch from here.
    thread.shutdownNow();
    try {
      if (!thread.awaitTermination(CLOSE_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
        log.warn("{}: the source's thread did not end within {}", prefix, CLOSE_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    cancelWatch();
    if (client != null && sharedClient == null) {
      client.close();
    }
  }

  @Override
  public String toString() {
    return "EtcdServerSource{" + prefix + " on " + (endpoints != null ? endpoints : "a shared client") + "}";
  }
}
