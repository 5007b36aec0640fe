package dev.lbkit.api.internal;

import dev.lbkit.api.Server;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The server list a registry source publishes, made from the values of its keys (etcd keys under
 * a prefix, ZooKeeper instance znodes), and what changed since the last list it pushed. Shared
 * by lb-etcd and lb-zookeeper; each source logs and pushes what {@link #read} decides.
 *
 * <p><b>The list</b> is a pure function of the values, so it does not depend on the order in
 * which keys were read or changed: servers are listed by {@link Server#id()} (the runtime
 * rebuilds pickers when the order changes), and two keys that describe one address count once,
 * the one whose key sorts first.
 *
 * <p><b>What to push.</b> Nothing when the list and its draining servers are those last pushed.
 * With {@code keepLastOnEmpty}, an empty list does not replace a non-empty one: a registry that
 * lost every registration at once more likely lost its data than every server.
 *
 * <p><b>Problems</b> (values left out) are reported once per key and content: a key whose value
 * stays bad is not reported again, and one that went away is forgotten.
 *
 * <p>Threading: not thread-safe; a source calls it from one thread or under its own lock.
 */
public final class RegistryList {

  /** What one {@link #read} decided. Immutable. */
  public static final class Update {
    private final List<Server> servers;
    private final List<Server> draining;
    private final Map<String, String> newProblems;
    private final boolean emptyHeldBack;

    Update(List<Server> servers, List<Server> draining, Map<String, String> newProblems, boolean emptyHeldBack) {
      this.servers = servers;
      this.draining = draining;
      this.newProblems = newProblems;
      this.emptyHeldBack = emptyHeldBack;
    }

    /** Whether there is a new list to push. */
    public boolean push() {
      return servers != null;
    }

    /** The list to push, by id; null when there is none. */
    public List<Server> servers() {
      return servers;
    }

    /** The servers of the list that drain, in list order; null when there is no list to push. */
    public List<Server> draining() {
      return draining;
    }

    /** Keys newly left out, with why, by key: to log. */
    public Map<String, String> newProblems() {
      return newProblems;
    }

    /** True the first time an empty list is held back ({@code keepLastOnEmpty}): to log once. */
    public boolean emptyHeldBack() {
      return emptyHeldBack;
    }
  }

  private final Function<byte[], RegistryEntry> parse;
  private final boolean keepLastOnEmpty;
  /** Key to its problem and value, as last reported. */
  private final Map<String, String> reported = new HashMap<>();
  private List<Server> lastPushed;
  private Set<String> lastDraining = Set.of();
  private boolean emptyHeld;

  /** Lists made with {@code parse}; with {@code keepLastOnEmpty}, an empty list never replaces a non-empty one. */
  public RegistryList(Function<byte[], RegistryEntry> parse, boolean keepLastOnEmpty) {
    this.parse = parse;
    this.keepLastOnEmpty = keepLastOnEmpty;
  }

  /** The list last pushed; null before the first. */
  public List<Server> lastPushed() {
    return lastPushed;
  }

  /**
   * What a source keeps while its registry is unreachable, for its error messages: {@code
   * keeping the last list of N servers}, or {@code no list read yet}.
   */
  public String kept() {
    return lastPushed == null ? "no list read yet" : "keeping the last list of " + lastPushed.size() + " servers";
  }

  /** Reads every current value, key to value, and says what to push and to log. */
  public Update read(Map<String, byte[]> values) {
    Map<String, Server> byAddress = new LinkedHashMap<>();
    Set<String> draining = new TreeSet<>();
    Map<String, String> problems = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : new TreeMap<>(values).entrySet()) {
      RegistryEntry entry = parse.apply(e.getValue());
      if (entry.problem() != null) {
        problems.put(e.getKey(), entry.problem());
      } else if (byAddress.putIfAbsent(entry.server().id(), entry.server()) == null && entry.draining()) {
        draining.add(entry.server().id());
      }
    }
    Map<String, String> newProblems = newProblems(problems, values);
    List<Server> servers = new ArrayList<>(byAddress.values());
    servers.sort(Comparator.comparing(Server::id));
    if (servers.equals(lastPushed) && draining.equals(lastDraining)) {
      return new Update(null, null, newProblems, false);
    }
    if (servers.isEmpty() && keepLastOnEmpty && lastPushed != null && !lastPushed.isEmpty()) {
      boolean first = !emptyHeld;
      emptyHeld = true;
      return new Update(null, null, newProblems, first);
    }
    emptyHeld = false;
    lastPushed = List.copyOf(servers);
    lastDraining = Set.copyOf(draining);
    List<Server> drainingServers = new ArrayList<>();
    for (Server s : lastPushed) {
      if (draining.contains(s.id())) {
        drainingServers.add(s);
      }
    }
    return new Update(lastPushed, List.copyOf(drainingServers), newProblems, false);
  }

  /** The problems not reported before for the same content; forgets keys that are fine or gone. */
  private Map<String, String> newProblems(Map<String, String> problems, Map<String, byte[]> values) {
    reported.keySet().retainAll(problems.keySet());
    Map<String, String> fresh = new TreeMap<>();
    for (Map.Entry<String, String> p : problems.entrySet()) {
      byte[] value = values.get(p.getKey());
      String seen = p.getValue() + "\n" + (value == null ? "" : new String(value, StandardCharsets.ISO_8859_1));
      if (!seen.equals(reported.put(p.getKey(), seen))) {
        fresh.put(p.getKey(), p.getValue());
      }
    }
    return Collections.unmodifiableMap(fresh);
  }
}
