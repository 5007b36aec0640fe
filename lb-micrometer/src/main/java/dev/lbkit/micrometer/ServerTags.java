package dev.lbkit.micrometer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code server} tag values of one cluster, capped: the first {@code max} servers seen get
 * their own address as the value, every later one gets {@link #OTHER}. The tag key never changes,
 * so a meter keeps one key set however large the cluster grows (Prometheus rejects a name with
 * two key sets); the number of per-server series stays at most {@code max + 1} per meter and
 * cluster. Palantir dialogue caps per-host metrics the same way, at 10 by default.
 *
 * <p>A server that leaves the balancer ({@link #release}) frees its slot for a newcomer, so a
 * rolling deploy keeps per-server series for the new servers. A client-only setup, which never
 * hears of removals, keeps its first {@code max} servers.
 *
 * <p>Threading: {@link #tag} runs on calling threads and is lock-free for a server already seen;
 * assigning a slot takes this object's lock once per server.
 */
final class ServerTags {
  /** The value of every server past the cap. */
  static final String OTHER = "other";

  private final int max;
  private final Map<String, String> values = new ConcurrentHashMap<>();
  private int assigned;

  ServerTags(int max) {
    this.max = max;
  }

  /** The tag value of server {@code id} ({@code host:port}). */
  String tag(String id) {
    String v = values.get(id);
    return v != null ? v : assign(id);
  }

  private synchronized String assign(String id) {
    String v = values.get(id);
    if (v == null) {
      if (assigned < max) {
        assigned++;
        v = id;
      } else {
        v = OTHER;
      }
      values.put(id, v);
    }
    return v;
  }

  /** Server {@code id} left: its slot, if it had one, goes to the next newcomer. */
  synchronized void release(String id) {
    String v = values.remove(id);
    if (v != null && !OTHER.equals(v)) {
      assigned--;
      // A server collapsed to "other" may now get its own value: forget those, they re-ask.
      values.values().removeIf(OTHER::equals);
    }
  }
}
