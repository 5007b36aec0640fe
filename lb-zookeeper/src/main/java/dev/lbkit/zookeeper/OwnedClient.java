package dev.lbkit.zookeeper;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.RetryPolicy;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.utils.DefaultZookeeperFactory;
import org.apache.curator.utils.ZookeeperFactory;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * The settings of a Curator client that a source owns, and the client's creation, so that every
 * thread it runs carries the source's name prefix.
 *
 * <p><b>Thread names.</b> Curator names its own threads through the {@link ThreadFactory} given
 * to it. The ZooKeeper handle names its two threads (I/O and events) after the thread that
 * constructs it, plus {@code -SendThread(host:port)} and {@code -EventThread}; Curator constructs
 * handles on whichever thread first needs one, and again after a session expires. The factory
 * below therefore constructs each handle on a short-lived thread named with the prefix, so that
 * a leak shows up in a thread dump (and in the tests) under the source's name.
 */
final class OwnedClient {

  /**
   * Retries of one ZooKeeper operation: 1 s doubling, 3 times (about 7 s), the policy Curator's
   * documentation recommends. The watch itself survives longer outages: Curator re-creates it on
   * every reconnection, and the cache then re-reads the service.
   */
  static final RetryPolicy RETRY_POLICY = new ExponentialBackoffRetry(1000, 3);

  private final String connectString;
  private final int sessionTimeoutMillis;
  private final int connectionTimeoutMillis;
  private final String threadPrefix;

  OwnedClient(String connectString, int sessionTimeoutMillis, int connectionTimeoutMillis, String threadPrefix) {
    this.connectString = connectString;
    this.sessionTimeoutMillis = sessionTimeoutMillis;
    this.connectionTimeoutMillis = connectionTimeoutMillis;
    this.threadPrefix = threadPrefix;
  }

  /** The name of the thread that runs a client's listener callbacks. */
  String eventThreadName() {
    return threadPrefix + "-events";
  }

  String connectString() {
    return connectString;
  }

  /**
   * Creates the client; the caller starts and closes it. Creates no thread until started.
   *
   * @param events runs the client's listener callbacks (Curator's "run safe" service). Curator
   *     5.9 never shuts down the executor it makes for them itself, so every client it closes
   *     would leave one thread behind; the caller passes its own and shuts it down after closing
   *     the client.
   */
  CuratorFramework create(Executor events) {
    AtomicInteger counter = new AtomicInteger();
    ThreadFactory threads = r -> {
      Thread t = new Thread(r, threadPrefix + "-curator-" + counter.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    return CuratorFrameworkFactory.builder()
        .connectString(connectString)
        .sessionTimeoutMs(sessionTimeoutMillis)
        .connectionTimeoutMs(connectionTimeoutMillis)
        .retryPolicy(RETRY_POLICY)
        .threadFactory(threads)
        .runSafeService(events)
        .zookeeperFactory(new NamedHandleFactory(threadPrefix))
        .build();
  }

  /** Constructs each ZooKeeper handle on a thread named with the prefix (see the class comment). */
  private static final class NamedHandleFactory implements ZookeeperFactory {
    private final ZookeeperFactory delegate = new DefaultZookeeperFactory();
    private final String threadPrefix;

    NamedHandleFactory(String threadPrefix) {
      this.threadPrefix = threadPrefix;
    }

    @Override
    public ZooKeeper newZooKeeper(String connectString, int sessionTimeout, Watcher watcher, boolean canBeReadOnly)
        throws Exception {
      return onNamedThread(() -> delegate.newZooKeeper(connectString, sessionTimeout, watcher, canBeReadOnly));
    }

    @Override
    public ZooKeeper newZooKeeper(
        String connectString, int sessionTimeout, Watcher watcher, boolean canBeReadOnly, ZKClientConfig config)
        throws Exception {
      return onNamedThread(() -> delegate.newZooKeeper(connectString, sessionTimeout, watcher, canBeReadOnly, config));
    }

    private ZooKeeper onNamedThread(java.util.concurrent.Callable<ZooKeeper> construct) throws Exception {
      FutureTask<ZooKeeper> task = new FutureTask<>(construct);
      Thread t = new Thread(task, threadPrefix);
      t.setDaemon(true);
      t.start();
      try {
        return task.get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception) {
          throw (Exception) cause;
        }
        throw e;
      }
    }
  }
}
