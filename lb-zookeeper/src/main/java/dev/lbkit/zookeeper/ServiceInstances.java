package dev.lbkit.zookeeper;

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
 * The server list of one service, made from the data of its instance znodes: a pure function,
 * so that the order and the choice between duplicates do not depend on the order in which the
 * cache hands the znodes over.
 *
 * <p>Servers are listed by {@link Server#id()}, so that the same set of instances always gives
 * the same list (the runtime rebuilds pickers when the order changes). Two instances with one
 * address count once: the one whose instance id sorts first, so the choice is stable too.
 */
final class ServiceInstances {

  /** The list, the ids of its draining servers, and each invalid instance's problem by instance id. */
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

  private ServiceInstances() {}

  /** Reads {@code instances}: instance id to znode data. */
  static Result read(Map<String, byte[]> instances) {
    Map<String, InstanceJson.Parsed> byAddress = new LinkedHashMap<>();
    Map<String, String> problems = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : new TreeMap<>(instances).entrySet()) {
      InstanceJson.Parsed parsed = InstanceJson.parse(e.getValue());
      if (parsed.problem() != null) {
        problems.put(e.getKey(), parsed.problem());
      } else {
        byAddress.putIfAbsent(parsed.server().id(), parsed);
      }
    }
    List<Server> servers = new ArrayList<>();
    Set<String> draining = new TreeSet<>();
    for (InstanceJson.Parsed p : byAddress.values()) {
      servers.add(p.server());
      if (p.draining()) {
        draining.add(p.server().id());
      }
    }
    servers.sort(Comparator.comparing(Server::id));
    return new Result(List.copyOf(servers), Set.copyOf(draining), problems);
  }
}
