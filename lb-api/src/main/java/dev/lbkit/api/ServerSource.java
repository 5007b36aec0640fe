package dev.lbkit.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a cluster's servers come from: a static list, a file, DNS, or a user's own registry
 * (Consul, etcd, Eureka, the Kubernetes API).
 *
 * <p>A source pushes <em>full</em> lists; the runtime diffs successive lists itself, so that
 * servers that stay keep their live statistics. A source that fails keeps quiet, or reports
 * through {@link Listener#onError}: the runtime keeps the last list it got.
 *
 * <p><b>Draining.</b> A registry that knows a server is going away (a Kubernetes endpoint that is
 * serving but terminating, a registration marked as leaving) pushes it with {@link
 * Listener#onServers(List, Collection)} among the draining servers: it stays in the cluster, gets
 * no new picks, and its in-flight calls finish. A drain pushed by the source and a drain started
 * by the user ({@code LoadBalancer.drain}) are separate: each ends only by its own hand. A server
 * the source stops listing is removed, draining or not.
 *
 * <p><b>Threading.</b> A source may call its listener from any thread; the runtime serializes
 * the updates.
 */
public interface ServerSource extends AutoCloseable {

  /** Receives server lists. */
  interface Listener {

    /**
     * A full, current list of servers, none of them draining; an empty list means the cluster has
     * no servers. Ends any drain an earlier {@link #onServers(List, Collection)} pushed.
     */
    void onServers(List<Server> servers);

    /**
     * A full, current list of servers, of which {@code draining} get no new picks while their
     * in-flight calls finish. A server is matched by {@link Server#id()}; each draining server
     * must be in {@code servers}.
     *
     * <p>The default, for listeners written before draining existed, passes on only the servers
     * that are not draining: to such a listener a draining server is a removed one (its in-flight
     * calls still finish). The balancer's own listener keeps draining servers in the cluster.
     *
     * @throws IllegalArgumentException when a draining server is not in {@code servers}
     */
    default void onServers(List<Server> servers, Collection<Server> draining) {
      Set<String> ids = drainingIds(servers, draining);
      if (ids.isEmpty()) {
        onServers(servers);
        return;
      }
      List<Server> serving = new ArrayList<>(servers.size());
      for (Server s : servers) {
        if (!ids.contains(s.id())) {
          serving.add(s);
        }
      }
      onServers(serving);
    }

    /** A failure the source could not hide; the runtime keeps the last list and logs it. */
    default void onError(Throwable error) {}
  }

  /** Starts pushing lists to {@code listener}. Called once. */
  void start(Listener listener);

  /** Stops pushing and releases resources. Idempotent. */
  @Override
  void close();

  /**
   * The ids of {@code draining}, checked against {@code servers}: for listeners that implement
   * {@link Listener#onServers(List, Collection)} themselves.
   *
   * @throws IllegalArgumentException when a draining server is null or not in {@code servers}
   */
  static Set<String> drainingIds(List<Server> servers, Collection<Server> draining) {
    if (draining.isEmpty()) {
      return Set.of();
    }
    Set<String> listed = new HashSet<>();
    for (Server s : servers) {
      if (s != null) {
        listed.add(s.id());
      }
    }
    Set<String> ids = new HashSet<>();
    for (Server d : draining) {
      if (d == null) {
        throw new IllegalArgumentException("draining: contains null");
      }
      if (!listed.contains(d.id())) {
        throw new IllegalArgumentException("draining: " + d.id() + " is not in servers");
      }
      ids.add(d.id());
    }
    return ids;
  }
}
