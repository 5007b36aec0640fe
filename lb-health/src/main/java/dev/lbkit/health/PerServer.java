package dev.lbkit.health;

import dev.lbkit.api.Endpoint;
import dev.lbkit.api.Server;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An input's state per server, keyed by server id and kept in step with the server list.
 *
 * <p>{@link #update} walks the list in order: a server new to the list gets its state from
 * {@code create} (called before the state is stored), a server already known is handed to
 * {@code keep} with its current {@link Server} (same id, perhaps new attributes), and once the
 * whole list is applied every server that left is handed to {@code remove}, then dropped.
 *
 * <p><b>Threading.</b> Updated on the control plane only. {@link #concurrentReads} builds one
 * whose {@link #get} may be called from any thread (an outcome report looking up its server's
 * counters); {@link #controlPlaneOnly} one that is read on the control plane only.
 *
 * @param <S> the state of one server
 */
final class PerServer<S> {

  private final Map<String, S> states;
  private final Function<Endpoint, S> create;
  private final BiConsumer<S, Server> keep;
  private final Consumer<S> remove;

  private PerServer(
      Map<String, S> states, Function<Endpoint, S> create, BiConsumer<S, Server> keep, Consumer<S> remove) {
    this.states = states;
    this.create = create;
    this.keep = keep;
    this.remove = remove;
  }

  /** State read and written on the control plane only. */
  static <S> PerServer<S> controlPlaneOnly(
      Function<Endpoint, S> create, BiConsumer<S, Server> keep, Consumer<S> remove) {
    return new PerServer<>(new HashMap<>(), create, keep, remove);
  }

  /** State written on the control plane, and looked up from any thread. */
  static <S> PerServer<S> concurrentReads(
      Function<Endpoint, S> create, BiConsumer<S, Server> keep, Consumer<S> remove) {
    return new PerServer<>(new ConcurrentHashMap<>(), create, keep, remove);
  }

  /** Applies a new server list; control plane only. */
  void update(List<Endpoint> endpoints) {
    Set<String> present = new HashSet<>();
    for (Endpoint e : endpoints) {
      String id = e.server().id();
      present.add(id);
      S state = states.get(id);
      if (state == null) {
        states.put(id, create.apply(e));
      } else {
        keep.accept(state, e.server());
      }
    }
    for (Iterator<Map.Entry<String, S>> it = states.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, S> entry = it.next();
      if (!present.contains(entry.getKey())) {
        remove.accept(entry.getValue());
        it.remove();
      }
    }
  }

  /** The state of the server with this id, or null when the server is not in the list. */
  S get(String id) {
    return states.get(id);
  }

  /** Every server's state, as a live view. */
  Collection<S> values() {
    return states.values();
  }

  /** Drops every state without calling {@code remove}; control plane only. */
  void clear() {
    states.clear();
  }
}
