package dev.lbkit.zookeeper;

import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

  /** The list, and each invalid instance's problem keyed by instance id. */
  static final class Result {
    final List<Server> servers;
    final Map<String, String> problems;

    Result(List<Server> servers, Map<String, String> problems) {
      this.servers = servers;
      this.problems = problems;
    }
  }

  private ServiceInstances() {}

  /** Reads {@code instances}: instance id to znode data. */
  static Result read(Map<String, byte[]> instances) {
    Map<String, Server> byAddress = new LinkedHashMap<>();
    Map<String, String> problems = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : new TreeMap<>(instances).entrySet()) {
      InstanceJson.Parsed parsed = InstanceJson.parse(e.getValue());
      if (parsed.problem() != null) {
        problems.put(e.getKey(), parsed.problem());
      } else if (parsed.server() != null) {
        byAddress.putIfAbsent(parsed.server().id(), parsed.server());
      }
    }
    List<Server> servers = new ArrayList<>(byAddress.values());
    servers.sort(Comparator.comparing(Server::id));
    return new Result(List.copyOf(servers), problems);
  }
}
