package dev.lbkit.api.internal;

import dev.lbkit.api.Server;
import java.util.Objects;

/**
 * One registry value as a source read it: a server, serving or draining, or the problem that
 * leaves the value out. What lb-etcd's key values and lb-zookeeper's instance znodes parse to,
 * and what {@link RegistryList} makes a server list of. Immutable.
 */
public final class RegistryEntry {
  private final Server server;
  private final boolean draining;
  private final String problem;

  private RegistryEntry(Server server, boolean draining, String problem) {
    this.server = server;
    this.draining = draining;
    this.problem = problem;
  }

  /** A server that takes new requests, or one that drains: it takes none, and its calls finish. */
  public static RegistryEntry of(Server server, boolean draining) {
    return new RegistryEntry(Objects.requireNonNull(server, "server"), draining, null);
  }

  /** A value left out, because of {@code problem}. */
  public static RegistryEntry invalid(String problem) {
    return new RegistryEntry(null, false, Objects.requireNonNull(problem, "problem"));
  }

  /** The server; null when the value is invalid. */
  public Server server() {
    return server;
  }

  /** Whether the server drains. */
  public boolean draining() {
    return draining;
  }

  /** Why the value is left out; null when it is valid. */
  public String problem() {
    return problem;
  }

  @Override
  public String toString() {
    return problem != null ? "invalid: " + problem : server.id() + (draining ? " (draining)" : "");
  }
}
