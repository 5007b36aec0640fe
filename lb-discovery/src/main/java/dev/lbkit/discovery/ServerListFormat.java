package dev.lbkit.discovery;

import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The text format of server list files: one server per line, an address followed by optional
 * {@code key=value} attributes.
 *
 * <pre>
 * # user-service, zone a first
 * 10.0.0.1:8080 weight=3 zone=us-east-1a region=us-east-1
 * 10.0.0.2:8080 zone=us-east-1b region=us-east-1 meta.version=2.4
 * [2001:db8::7]:8080 priority=1     # IPv6 literals in brackets
 * users-backup.internal:8443 priority=1
 * </pre>
 *
 * <ul>
 *   <li>An address is {@code host:port}, without a scheme; IPv6 literals go in brackets. The
 *       host is an IP literal or a DNS name, as {@link Server.Builder#build()} accepts.
 *   <li>Attributes: {@code weight} (1..1000000, default 1), {@code priority} (0..127, 0 is the
 *       highest tier, default 0), {@code zone}, {@code region}, and {@code meta.NAME} for
 *       free-form metadata. Values contain no spaces.
 *   <li>{@code #} starts a comment, at the start of a line or after a space. Blank lines are
 *       ignored. An empty file is an empty list.
 *   <li>An address may appear once.
 * </ul>
 *
 * <p>Why not JSON or YAML: the format needs no dependency, diffs line by line, and every error
 * has an exact line and column, which the file source logs when it rejects an edit.
 *
 * <p>Thread-safe: the class has no state.
 */
public final class ServerListFormat {

  private ServerListFormat() {}

  /**
   * Parses a server list.
   *
   * @param text the whole file
   * @param sourceName the file name, used in error messages
   * @return the servers in file order
   * @throws ServerListFormatException at the first error, with its line and column
   */
  public static List<Server> parse(CharSequence text, String sourceName)
      throws ServerListFormatException {
    List<Server> servers = new ArrayList<>();
    Map<String, Integer> firstLine = new HashMap<>();
    String all = text.toString();
    int lineNo = 0;
    int start = 0;
    while (start <= all.length()) {
      int end = all.indexOf('\n', start);
      if (end < 0) {
        end = all.length();
      }
      lineNo++;
      String line = all.substring(start, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      Server s = new ServerListLine(line, lineNo, sourceName).parse();
      if (s != null) {
        Integer first = firstLine.putIfAbsent(s.id(), lineNo);
        if (first != null) {
          throw new ServerListFormatException(
              sourceName,
              lineNo,
              firstNonBlank(line) + 1,
              "address " + s.id() + " appears twice (first on line " + first + ")");
        }
        servers.add(s);
      }
      start = end + 1;
    }
    return List.copyOf(servers);
  }

  private static int firstNonBlank(String line) {
    int i = 0;
    while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
      i++;
    }
    return i;
  }
}
