package dev.lbkit.discovery;

import dev.lbkit.api.Scheduler;
import dev.lbkit.api.ServerSource;
import dev.lbkit.api.Ticker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Builds a source that reads a server list file in the {@link ServerListFormat} and re-reads it
 * when it changes. Obtained from {@link ServerSources#file(Path)}. Settings are validated in
 * {@link #build()}. Not thread-safe.
 *
 * <pre>{@code
 * ServerSource source = ServerSources.file(Path.of("/etc/lbkit/users.servers"))
 *     .pollInterval(Duration.ofSeconds(2))
 *     .build();
 * }</pre>
 */
public final class FileSourceBuilder {

  /**
   * Default poll interval, 2 s: edits show up within seconds, and reading a small file every
   * two seconds costs nothing measurable.
   */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

  /**
   * Whether an empty file after a non-empty list is ignored by default: yes, because an
   * emptied file is far more often a failed deploy or a truncating editor than a real intent
   * to remove every server.
   */
  public static final boolean DEFAULT_KEEP_LAST_ON_EMPTY = true;

  final Path path;
  Duration pollInterval = DEFAULT_POLL_INTERVAL;
  Scheduler scheduler;
  Ticker ticker = Ticker.SYSTEM;
  boolean keepLastOnEmpty = DEFAULT_KEEP_LAST_ON_EMPTY;

  FileSourceBuilder(Path path) {
    this.path = path;
  }

  /** How often the file is read; positive. Default {@link #DEFAULT_POLL_INTERVAL}. */
  public FileSourceBuilder pollInterval(Duration interval) {
    this.pollInterval = Objects.requireNonNull(interval, "pollInterval");
    return this;
  }

  /**
   * Where polls run; default a daemon thread owned by the source, shut down when it closes. A
   * poll reads a file and may block on slow storage, so never give the scheduler that health
   * mechanisms ({@code lb-health}) run their timers on. Tests pass a virtual-time fake ({@code
   * dev.lbkit.testing.FakeScheduler}). The caller owns a scheduler given here: closing the
   * source cancels its next poll but does not shut the scheduler down.
   */
  public FileSourceBuilder scheduler(Scheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    return this;
  }

  /** The clock, used to report the age of the last good list; default {@link Ticker#SYSTEM}. */
  public FileSourceBuilder ticker(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return this;
  }

  /**
   * Whether an empty file is ignored when the last list was not empty; default {@value
   * #DEFAULT_KEEP_LAST_ON_EMPTY}. Set false to let an empty file empty the cluster.
   */
  public FileSourceBuilder keepLastOnEmpty(boolean keep) {
    this.keepLastOnEmpty = keep;
    return this;
  }

  /**
   * Validates the settings and builds the source. The file is first read in {@link
   * ServerSource#start}.
   *
   * @throws IllegalArgumentException naming the field and the value of a bad setting
   */
  public ServerSource build() {
    if (path == null) {
      throw new IllegalArgumentException("path must not be null, was null");
    }
    if (pollInterval.isZero() || pollInterval.isNegative()) {
      throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
    }
    return new FileServerSource(this);
  }
}
