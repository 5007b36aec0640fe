package dev.lbkit.okhttp;

import dev.lbkit.api.Server;
import dev.lbkit.api.internal.HostSyntax;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import okhttp3.Dns;

/**
 * Resolves the attempt's host name (the logical host, or the server's TLS name) to one server's
 * address, and every other name with the base client's {@link Dns}.
 *
 * <p>OkHttp pools connections by {@link okhttp3.Address}, whose equality includes the {@code Dns}.
 * Two attempts to the same server must therefore carry equal {@code Dns} objects (so they share
 * pooled connections) and attempts to different servers unequal ones (so a connection to one
 * server is never reused for another, even when both listen on the same port). This class has
 * value equality on (name, server address, base Dns), and {@link AttemptAddressing} also caches one
 * instance per server to avoid an allocation per attempt.
 */
final class ServerDns implements Dns {
  private final String name;
  private final String serverHost;
  private final int serverPort;
  private final Dns base;

  ServerDns(String name, Server server, Dns base) {
    this.name = name;
    this.serverHost = server.host();
    this.serverPort = server.port();
    this.base = base;
  }

  @Override
  public List<InetAddress> lookup(String hostname) throws UnknownHostException {
    if (!hostname.equalsIgnoreCase(name)) {
      return base.lookup(hostname);
    }
    InetAddress literal = ipLiteral(serverHost);
    if (literal != null) {
      return List.of(literal);
    }
    return base.lookup(serverHost);
  }

  /**
   * Whether {@code host} is an IPv4 or IPv6 literal ({@link HostSyntax}), an IPv6 one possibly
   * with a zone ({@code fe80::1%eth0}). Anything else, {@code 999.1.1.1} included, is a name for
   * the configured {@code Dns}: handing it to {@link InetAddress#getByName} would resolve it with
   * the system resolver instead.
   */
  static boolean isIpLiteral(String host) {
    return literalBytes(host) != null;
  }

  /** The address of an IP literal, parsed and never resolved, or null when {@code host} is not one. */
  private static InetAddress ipLiteral(String host) throws UnknownHostException {
    byte[] bytes = literalBytes(host);
    if (bytes == null) {
      return null;
    }
    // The JDK parses a valid scoped literal itself (it knows the interfaces); it resolves nothing
    // for a string that is a valid IPv6 literal. Named after the literal, so nothing looks up a
    // name for it either.
    return host.indexOf('%') >= 0 ? InetAddress.getByName(host) : InetAddress.getByAddress(host, bytes);
  }

  private static byte[] literalBytes(String host) {
    int zone = host.indexOf('%');
    if (zone < 0) {
      return HostSyntax.ipLiteral(host);
    }
    byte[] bytes = zone > 0 && zone < host.length() - 1 ? HostSyntax.ipLiteral(host.substring(0, zone)) : null;
    return bytes != null && bytes.length == 16 ? bytes : null;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ServerDns)) {
      return false;
    }
    ServerDns d = (ServerDns) o;
    return serverPort == d.serverPort && name.equals(d.name) && serverHost.equals(d.serverHost) && base.equals(d.base);
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + serverHost.hashCode()) * 31 + serverPort;
  }

  @Override
  public String toString() {
    return "ServerDns{" + name + " -> " + serverHost + ":" + serverPort + "}";
  }
}
