package dev.lbkit.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * This machine's established TCP connections, as Linux lists them in {@code /proc/net/tcp} and
 * {@code /proc/net/tcp6}: the kernel's count, not the client's own idea of its pool.
 */
final class Connections {
  private static final String ESTABLISHED = "01";

  private Connections() {}

  /** Whether this machine lists its connections so (Linux). */
  static boolean available() {
    return Files.exists(Path.of("/proc/net/tcp"));
  }

  /** The local ports of established connections whose remote port is {@code port}. */
  static Set<Integer> localPortsTo(int port) {
    Set<Integer> ports = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (!Files.exists(path)) {
        continue;
      }
      List<String> lines;
      try {
        lines = Files.readAllLines(path);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      // "sl local_address rem_address st ...", addresses as HEXIP:HEXPORT.
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 3 && f[3].equals(ESTABLISHED) && portOf(f[2]) == port) {
          ports.add(portOf(f[1]));
        }
      }
    }
    return ports;
  }

  private static int portOf(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1), 16);
  }
}
