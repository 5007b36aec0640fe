package dev.lbkit.discovery;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Records the lists and errors a source pushes. */
class FakeListener implements ServerSource.Listener {

  final List<List<Server>> lists = new ArrayList<>();
  final List<Throwable> errors = new ArrayList<>();

  @Override
  public synchronized void onServers(List<Server> servers) {
    lists.add(servers);
  }

  @Override
  public synchronized void onError(Throwable error) {
    errors.add(error);
  }

  synchronized int pushes() {
    return lists.size();
  }

  synchronized List<Server> last() {
    return lists.isEmpty() ? null : lists.get(lists.size() - 1);
  }

  /** The ids of the last list, sorted. */
  synchronized List<String> lastIds() {
    List<Server> l = last();
    return l == null ? null : l.stream().map(Server::id).sorted().collect(Collectors.toList());
  }
}
