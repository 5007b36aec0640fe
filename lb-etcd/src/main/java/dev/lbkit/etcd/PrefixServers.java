package dev.lbkit.etcd;

import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The server list made from the values under a prefix: a pure function, so that the list does
 * not depend on the order in which keys were read or changed.
 *
 * <p>Servers are listed by {@link Server#id()}, so the same values always give the same list.
 * Two keys that describe one address count once: the one whose key sorts first.
 */
final class PrefixServers {

  /** The servers, the ids of those that drain, and each bad key's problem. */
  static final class Result {
    final List<Server> servers;
    final Set<String> draining;
    final Map<String, String> problems;

    Result(List<Server> servers, Set<String> draining, Map<String, String> problems) {
      this.servers = servers;
      this.draining = draining;
      this.problems = problems;
    }

    /** The servers that drain, in list order. */
    List<Server> drainingServers() {
      List<Server> list = new ArrayList<>();
      for (Server s : servers) {
        if (draining.contains(s.id())) {
          list.add(s);
        }
      }
      return List.copyOf(list);
    }
  }

  private PrefixServers() {}

  /** Reads {@code values}: key to value. */
  static Result read(Map<String, byte[]> values) {
    Map<String, ServerValue.Parsed> byAddress = new LinkedHashMap<>();
    Map<String, String> problems = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : new TreeMap<>(values).entrySet()) {
      ServerValue.Parsed p = ServerValue.parse(e.getValue());
      if (p.problem != null) {
        problems.put(e.getKey(), p.problem);
      } else {
        byAddress.putIfAbsent(p.server.id(), p);
      }
    }
    List<Server> servers = new ArrayList<>();
    Set<String> draining = new TreeSet<>();
    for (ServerValue.Parsed p : byAddress.values()) {
      servers.add(p.server);
      if (p.draining) {
        draining.add(p.server.id());
      }
    }
    servers.sort(Comparator.comparing(Server::id));
    return new Result(List.copyOf(servers), Set.copyOf(draining), problems);
  }
}
