package dev.lbkit.okhttp;

import dev.lbkit.api.Server;
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
 * value equality on (name, server address, base Dns), and {@link LbInterceptor} also caches one
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
    if (isIpLiteral(serverHost)) {
      // An IP literal is parsed, never resolved.
      return List.of(InetAddress.getByName(serverHost));
    }
    return base.lookup(serverHost);
  }

  static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if ((c < '0' || c > '9') && c != '.') {
        return false;
      }
    }
    return !host.isEmpty();
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
