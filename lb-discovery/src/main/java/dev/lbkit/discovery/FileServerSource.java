package dev.lbkit.discovery;

import dev.lbkit.api.Server;
import dev.lbkit.api.Ticker;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server list read from a file in the {@link ServerListFormat}, re-read when it changes.
 *
 * <p><b>Change detection.</b> Every poll reads the file and compares its bytes with the last
 * read. Comparing content rather than the modification time is exact: some file systems keep
 * modification times to the second, and tools that copy files preserve them. Server lists are
 * small, so the read costs little.
 *
 * <p><b>Keeping the last good list.</b> A file that does not parse, cannot be read, or (by
 * default) is empty after a non-empty list is logged once per distinct content, with the line
 * and column of the error, and the last good list stays. Write the file atomically (a
 * temporary file, then a rename): a half-written file that happens to parse is taken as it is.
 *
 * <p><b>Threading.</b> The first read happens in {@link #start}; later polls run on the
 * scheduler. Guarded by this object's monitor; the listener is called with it held, which the
 * runtime's listener tolerates (it only queues the list).
 */
final class FileServerSource extends RefreshingSource {

  private static final Logger log = LoggerFactory.getLogger(FileServerSource.class);

  private final Path path;
  private final Duration pollInterval;
  private final Ticker ticker;
  private final boolean keepLastOnEmpty;

  private byte[] lastContent;
  private String lastReadError;
  private List<Server> lastGood;
  private long lastGoodAtNanos;

  FileServerSource(FileSourceBuilder b) {
    super(b.scheduler, "lbkit-file-source-" + b.path.getFileName());
    this.path = b.path;
    this.pollInterval = b.pollInterval;
    this.ticker = b.ticker;
    this.keepLastOnEmpty = b.keepLastOnEmpty;
  }

  @Override
  void onStart() {
    load();
    if (lastGood == null) {
      notifyError(new IOException(path + ": no valid server list yet; retrying every " + pollInterval));
    }
    schedulePoll();
  }

  private synchronized void poll() {
    if (isClosed()) {
      return;
    }
    try {
      load();
    } catch (RuntimeException e) {
      log.error("{}: unexpected failure while reloading; keeping the last good list", path, e);
    }
    schedulePoll();
  }

  private void schedulePoll() {
    scheduleNext(this::poll, pollInterval);
  }

  private void load() {
    byte[] content;
    try {
      content = Files.readAllBytes(path);
    } catch (IOException e) {
      String message = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (!message.equals(lastReadError)) {
        lastReadError = message;
        log.warn("{}: cannot read the server list ({}); {}", path, message, keeping());
      }
      // Forget the content, so that the same file coming back is loaded again.
      lastContent = null;
      return;
    }
    lastReadError = null;
    if (Arrays.equals(content, lastContent)) {
      return;
    }
    lastContent = content;
    List<Server> servers;
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(content))
              .toString();
      servers = ServerListFormat.parse(text, path.toString());
    } catch (CharacterCodingException e) {
      log.error("{}: the server list is not valid UTF-8; {}", path, keeping());
      return;
    } catch (ServerListFormatException e) {
      log.error("{}; {}", e.getMessage(), keeping());
      return;
    }
    if (servers.isEmpty() && keepLastOnEmpty && lastGood != null && !lastGood.isEmpty()) {
      log.warn("{}: the server list is empty; {} (set keepLastOnEmpty(false) to allow an empty cluster)",
          path, keeping());
      return;
    }
    lastGood = servers;
    lastGoodAtNanos = ticker.nanoTime();
    log.info("{}: loaded {} servers", path, servers.size());
    try {
      listener().onServers(servers);
    } catch (RuntimeException e) {
      log.error("{}: listener failed on a new server list", path, e);
    }
  }

  private String keeping() {
    if (lastGood == null) {
      return "no list loaded yet";
    }
    long ageMillis = (ticker.nanoTime() - lastGoodAtNanos) / 1_000_000;
    return "keeping the last good list of " + lastGood.size() + " servers, loaded " + ageMillis + " ms ago";
  }

  private void notifyError(Throwable error) {
    try {
      listener().onError(error);
    } catch (RuntimeException e) {
      log.error("{}: listener failed on an error", path, e);
    }
  }

  @Override
  public String toString() {
    return "FileServerSource{" + path + ", every " + pollInterval + "}";
  }
}
