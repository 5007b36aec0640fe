package dev.lbkit.discovery;

import static dev.lbkit.api.internal.ServerLists.requireNoNulls;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Factories for the server sources of this module: fixed lists, files, DNS, and the merge of
 * several sources.
 *
 * <pre>{@code
 * LoadBalancer lb = LoadBalancer.builder("users")
 *     .source(ServerSources.dnsSrv("_http._tcp.users.service.consul")
 *         .resolver(new InetSocketAddress("127.0.0.1", 8600))
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>To connect another registry (Consul's HTTP API, etcd, Eureka, the Kubernetes API),
 * implement {@link ServerSource}: push the full list on every change, keep quiet (or call
 * {@link ServerSource.Listener#onError}) on failures, and stop in {@code close()}.
 */
public final class ServerSources {

  private ServerSources() {}

  /**
   * A fixed list, pushed once at start.
   *
   * @throws NullPointerException naming the index of a null server, as {@code servers[2] must
   *     not be null}
   */
  public static ServerSource of(List<Server> servers) {
    return new FixedSource(List.copyOf(requireNoNulls(servers, "servers")));
  }

  /**
   * A fixed list, pushed once at start.
   *
   * @throws NullPointerException naming the index of a null server, as {@code servers[2] must
   *     not be null}
   */
  public static ServerSource of(Server... servers) {
    return of(servers == null ? null : Arrays.asList(servers));
  }

  /** A server list file in the {@link ServerListFormat}, re-read when it changes. */
  public static FileSourceBuilder file(Path path) {
    return new FileSourceBuilder(Objects.requireNonNull(path, "path"));
  }

  /**
   * Every A and AAAA address of {@code name}, each a server on {@code port}; a Kubernetes
   * headless service, for example {@code users.prod.svc.cluster.local}.
   */
  public static DnsSourceBuilder dnsAddresses(String name, int port) {
    return new DnsSourceBuilder(false, name, port);
  }

  /**
   * The targets of the SRV records of {@code name}, with their ports, weights and priorities;
   * for example {@code _http._tcp.users.prod.svc.cluster.local} or {@code
   * users.service.consul}.
   */
  public static DnsSourceBuilder dnsSrv(String name) {
    return new DnsSourceBuilder(true, name, 0);
  }

  /**
   * One source that pushes the concatenation of the latest lists of {@code sources}, for
   * example one DNS name per zone. Each push from any source pushes the combined list; a source
   * that has not pushed yet contributes nothing. Closing it closes every source.
   */
  public static ServerSource merge(ServerSource... sources) {
    List<ServerSource> list = List.of(sources);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("sources must not be empty, was []");
    }
    return new MergedSource(list);
  }

  /** A list pushed once. */
  static final class FixedSource implements ServerSource {
    private final List<Server> servers;

    FixedSource(List<Server> servers) {
      this.servers = servers;
    }

    @Override
    public void start(Listener listener) {
      listener.onServers(servers);
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
      return "FixedSource" + servers;
    }
  }

  /** Concatenates the latest lists of several sources. */
  static final class MergedSource implements ServerSource {
    private static final Logger log = LoggerFactory.getLogger(MergedSource.class);

    private final List<ServerSource> sources;
    private final List<List<Server>> latest;
    private final List<List<Server>> latestDraining;

    MergedSource(List<ServerSource> sources) {
      this.sources = sources;
      this.latest = new ArrayList<>();
      this.latestDraining = new ArrayList<>();
      for (int i = 0; i < sources.size(); i++) {
        latest.add(List.of());
        latestDraining.add(List.of());
      }
    }

    @Override
    public void start(Listener listener) {
      for (int i = 0; i < sources.size(); i++) {
        int index = i;
        sources.get(i).start(new Listener() {
          @Override
          public void onServers(List<Server> servers) {
            onServers(servers, List.of());
          }

          @Override
          public void onServers(List<Server> servers, Collection<Server> draining) {
            // Pushed under the lock, so that two sources pushing at once cannot deliver an
            // older combination after a newer one.
            // Checked here, where the message can still blame this source's list.
            List<Server> copy = List.copyOf(requireNoNulls(servers, "servers"));
            ServerSource.drainingIds(copy, draining);
            List<Server> drainingCopy = List.copyOf(draining);
            synchronized (MergedSource.this) {
              latest.set(index, copy);
              latestDraining.set(index, drainingCopy);
              List<Server> combined = new ArrayList<>();
              for (List<Server> l : latest) {
                combined.addAll(l);
              }
              List<Server> combinedDraining = new ArrayList<>();
              for (List<Server> l : latestDraining) {
                combinedDraining.addAll(l);
              }
              if (combinedDraining.isEmpty()) {
                listener.onServers(List.copyOf(combined));
              } else {
                listener.onServers(List.copyOf(combined), List.copyOf(combinedDraining));
              }
            }
          }

          @Override
          public void onError(Throwable error) {
            listener.onError(error);
          }
        });
      }
    }

    @Override
    public void close() {
      for (ServerSource s : sources) {
        try {
          s.close();
        } catch (RuntimeException e) {
          log.warn("closing {} failed", s, e);
        }
      }
    }

    @Override
    public String toString() {
      return "MergedSource" + sources;
    }
  }
}
