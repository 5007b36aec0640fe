package dev.lbkit.api;

import java.util.List;

/**
 * Where a cluster's servers come from: a static list, a file, DNS, or a user's own registry
 * (Consul, etcd, Eureka, the Kubernetes API).
 *
 * <p>A source pushes <em>full</em> lists; the runtime diffs successive lists itself, so that
 * servers that stay keep their live statistics. A source that fails keeps quiet, or reports
 * through {@link Listener#onError}: the runtime keeps the last list it got.
 *
 * <p><b>Threading.</b> A source may call its listener from any thread; the runtime serializes
 * the updates.
 */
public interface ServerSource extends AutoCloseable {

  /** Receives server lists. */
  interface Listener {

    /** A full, current list of servers; an empty list means the cluster has no servers. */
    void onServers(List<Server> servers);

    /** A failure the source could not hide; the runtime keeps the last list and logs it. */
    default void onError(Throwable error) {}
  }

  /** Starts pushing lists to {@code listener}. Called once. */
  void start(Listener listener);

  /** Stops pushing and releases resources. Idempotent. */
  @Override
  void close();
}
