package dev.lbkit.zookeeper;

import dev.lbkit.api.ServerSource;
import dev.lbkit.api.internal.RegistryList;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instances of one service in ZooKeeper, in the layout of Curator's service discovery
 * ({@code curator-x-discovery}: Curator's "Service Discovery" recipe), watched through a Curator
 * {@link CuratorCache} on {@code <basePath>/<serviceName>}.
 *
 * <p><b>Watching.</b> The cache keeps a copy of the service's znodes, updated through one
 * persistent recursive watch (ZooKeeper 3.6+). Nothing is pushed until its first full read
 * ("initialized"); after that every change to an instance (added, removed, its payload
 * rewritten) re-reads the copy and pushes the full list when it differs from the last one. On
 * reconnection Curator re-adds the watch and the cache re-reads every znode it knows and the
 * service's children, so changes made while this client was away arrive too, including the
 * removal of ephemeral instances whose registrant's session expired meanwhile.
 *
 * <p><b>Draining.</b> An instance registered with {@code "enabled": false} (Curator's "do not
 * use this instance") is pushed among the draining servers ({@link
 * ServerSource.Listener#onServers(List, java.util.Collection)}): the balancer keeps it, gives it
 * no new picks, and lets its in-flight calls finish, so a registrant that disables itself before
 * it deregisters is drained gracefully.
 *
 * <p><b>Keeping the last good list.</b> When the connection is {@code SUSPENDED} (it dropped,
 * or the server did not answer for two thirds of the session timeout) or the session {@code LOST}, nothing is pushed, the
 * listener's {@code onError} says so, and the balancer keeps the last list: a partitioned
 * client goes on sending to the servers it knew, which is what Curator's own {@code
 * ServiceCache} does and what Envoy and gRPC do when their control plane goes away. A service
 * that becomes empty after a non-empty list is ignored too, unless {@code keepLastOnEmpty(false)}.
 * Invalid instances are left out and logged once per version (see {@link
 * ZookeeperSourceBuilder}).
 *
 * <p><b>Threading.</b> Cache events arrive on the client's listener thread, connection states on its
 * connection-state thread; both take this object's monitor, and the listener is called with it
 * held, so pushes are never reordered (the runtime's listener only queues the list). {@link
 * #close} marks the source closed under the monitor, then closes the cache and (when the source
 * owns it) the client outside it, so that it never waits for a Curator thread that is waiting
 * for the monitor. Every thread the source owns is named {@code lbkit-zookeeper-<serviceName>...}
 * and ends in {@link #close}.
 */
final class ZookeeperServerSource implements ServerSource {

  private static final Logger log = LoggerFactory.getLogger(ZookeeperServerSource.class);

  private final String servicePath;
  private final OwnedClient owned;
  private final CuratorFramework sharedClient;
  private final boolean keepLastOnEmpty;
  private final String display;

  // Guarded by this.
  private Listener listener;
  private boolean started;
  private boolean closed;
  private CuratorFramework client;
  private ExecutorService events;
  private CuratorCache cache;
  private ConnectionStateListener stateListener;
  private boolean initialized;
  private final RegistryList list;

  ZookeeperServerSource(ZookeeperSourceBuilder b, OwnedClient owned) {
    this.servicePath = ZKPaths.makePath(b.basePath, b.serviceName);
    this.owned = owned;
    this.sharedClient = b.client;
    this.keepLastOnEmpty = b.keepLastOnEmpty;
    this.list = new RegistryList(InstanceJson::parse, keepLastOnEmpty);
    this.display = servicePath + " on " + (owned != null ? owned.connectString() : "a shared client");
  }

  @Override
  public synchronized void start(Listener listener) {
    if (started) {
      throw new IllegalStateException("start may be called once, was called twice on " + this);
    }
    started = true;
    this.listener = listener;
    if (closed) {
      return;
    }
    if (owned != null) {
      String eventThread = owned.eventThreadName();
      events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, eventThread);
        t.setDaemon(true);
        return t;
      });
      client = owned.create(events);
      client.start();
    } else {
      if (sharedClient.getState() != CuratorFrameworkState.STARTED) {
        throw new IllegalStateException(
            "the client given to the builder must be started, was " + sharedClient.getState() + " for " + display);
      }
      client = sharedClient;
    }
    stateListener = (c, state) -> onConnectionState(state);
    client.getConnectionStateListenable().addListener(stateListener);
    cache = CuratorCache.builder(client, servicePath).withExceptionHandler(this::onCacheError).build();
    cache.listenable().addListener(new CuratorCacheListener() {
      @Override
      public void event(Type type, ChildData oldData, ChildData data) {
        refresh(false);
      }

      @Override
      public void initialized() {
        refresh(true);
      }
    });
    cache.start();
  }

  private synchronized void refresh(boolean initializedNow) {
    if (closed) {
      return;
    }
    initialized |= initializedNow;
    if (!initialized) {
      return; // the first full read is still running: a partial list would shrink the cluster
    }
    Map<String, byte[]> instances = new HashMap<>();
    cache.stream()
        .filter(d -> !d.getPath().equals(servicePath))
        .filter(d -> ZKPaths.getPathAndNode(d.getPath()).getPath().equals(servicePath))
        .forEach(d -> instances.put(ZKPaths.getNodeFromPath(d.getPath()), d.getData()));
    RegistryList.Update update = list.read(instances);
    update.newProblems().forEach((id, problem) -> log.warn("{}: instance {} is left out: {}", display, id, problem));
    if (update.emptyHeldBack()) {
      log.warn("{}: no valid instance is registered; keeping the last list of {} servers"
          + " (set keepLastOnEmpty(false) to allow an empty cluster)", display, list.lastPushed().size());
    }
    if (!update.push()) {
      return;
    }
    log.info("{}: {} servers, {} draining", display, update.servers().size(), update.draining().size());
    try {
      listener.onServers(update.servers(), update.draining());
    } catch (RuntimeException e) {
      log.error("{}: listener failed on a new server list", display, e);
    }
  }

  private synchronized void onConnectionState(ConnectionState state) {
    if (closed) {
      return;
    }
    switch (state) {
      case SUSPENDED:
      case LOST:
        String what = state == ConnectionState.SUSPENDED
            ? "the ZooKeeper connection is SUSPENDED"
            : "the ZooKeeper session is LOST";
        notifyError(new IOException(display + ": " + what + "; " + list.kept()));
        break;
      case RECONNECTED:
        log.info("{}: reconnected to ZooKeeper; re-reading the service", display);
        break;
      default:
        break;
    }
  }

  private synchronized void onCacheError(Exception e) {
    if (closed) {
      return;
    }
    notifyError(new IOException(display + ": reading the service failed (" + e + "); " + list.kept(), e));
  }

  private void notifyError(Throwable error) {
    log.warn("{}", error.getMessage());
    try {
      listener.onError(error);
    } catch (RuntimeException e) {
      log.error("{}: listener failed on an error", display, e);
    }
  }

  @Override
  public void close() {
    CuratorCache closingCache;
    CuratorFramework closingClient;
    ConnectionStateListener closingListener;
    ExecutorService closingEvents;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      closingCache = cache;
      closingClient = client;
      closingListener = stateListener;
      closingEvents = events;
    }
    if (closingCache != null) {
      closingCache.close();
    }
    if (closingClient != null) {
      closingClient.getConnectionStateListenable().removeListener(closingListener);
      if (owned != null) {
        closingClient.close();
      }
    }
    if (closingEvents != null) {
      closingEvents.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "ZookeeperServerSource{" + display + "}";
  }
}
