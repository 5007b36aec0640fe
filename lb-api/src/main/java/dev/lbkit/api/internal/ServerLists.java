package dev.lbkit.api.internal;

import dev.lbkit.api.Server;
import java.util.List;

/** Checks of server lists passed to public methods; messages name the list and the index. */
public final class ServerLists {

  private ServerLists() {}

  /**
   * Returns {@code servers} unchanged after checking that neither it nor any element is null.
   *
   * @throws NullPointerException {@code servers must not be null} or {@code servers[2] must not
   *     be null}, with {@code name} as the list's name
   */
  public static List<Server> requireNoNulls(List<Server> servers, String name) {
    if (servers == null) {
      throw new NullPointerException(name + " must not be null");
    }
    int i = 0;
    // An iterator, not get(i): the caller's list may be a LinkedList.
    for (Server s : servers) {
      if (s == null) {
        throw new NullPointerException(name + "[" + i + "] must not be null");
      }
      i++;
    }
    return servers;
  }
}
