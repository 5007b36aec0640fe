package dev.lbkit.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.testing.FakeScheduler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileServerSourceTest {

  @TempDir Path dir;

  private final FakeScheduler scheduler = new FakeScheduler();
  private final FakeListener listener = new FakeListener();

  private ServerSource source(Path file) {
    return ServerSources.file(file)
        .pollInterval(Duration.ofSeconds(2))
        .scheduler(scheduler)
        .ticker(scheduler.ticker())
        .build();
  }

  private static void write(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void loadsAtStartAndReloadsOnlyWhenContentChanges() throws IOException {
    Path file = dir.resolve("users.servers");
    write(file, "10.0.0.1:80 weight=2\n10.0.0.2:80\n");
    try (ServerSource source = source(file)) {
      source.start(listener);
      assertEquals(1, listener.pushes());
      assertEquals(
          List.of(Server.builder("10.0.0.1", 80).weight(2).build(), Server.of("10.0.0.2", 80)),
          listener.last());
      assertEquals(Duration.ofSeconds(2), scheduler.lastDelay());

      scheduler.advance(Duration.ofSeconds(10));
      assertEquals(1, listener.pushes(), "an unchanged file is not pushed again");

      write(file, "10.0.0.2:80\n10.0.0.3:80 zone=b\n");
      scheduler.advance(Duration.ofMillis(1999));
      assertEquals(1, listener.pushes(), "no poll before the interval");
      scheduler.advance(Duration.ofMillis(1));
      assertEquals(2, listener.pushes());
      assertEquals(List.of("10.0.0.2:80", "10.0.0.3:80"), listener.lastIds());
    }
  }

  @Test
  void badEditKeepsLastGoodListUntilFixed() throws IOException {
    Path file = dir.resolve("users.servers");
    write(file, "10.0.0.1:80\n");
    try (ServerSource source = source(file)) {
      source.start(listener);
      write(file, "10.0.0.1:80\n10.0.0.2:80 weight=-3\n");
      scheduler.advance(Duration.ofSeconds(2));
      assertEquals(1, listener.pushes(), "a bad file is not pushed");
      assertEquals(List.of("10.0.0.1:80"), listener.lastIds());

      write(file, "10.0.0.1:80\n10.0.0.2:80 weight=3\n");
      scheduler.advance(Duration.ofSeconds(2));
      assertEquals(2, listener.pushes());
      assertEquals(List.of("10.0.0.1:80", "10.0.0.2:80"), listener.lastIds());
      assertEquals(List.of(), listener.errors);
    }
  }

  @Test
  void deletedFileKeepsLastListAndComesBack() throws IOException {
    Path file = dir.resolve("users.servers");
    write(file, "10.0.0.1:80\n");
    try (ServerSource source = source(file)) {
      source.start(listener);
      Files.delete(file);
      scheduler.advance(Duration.ofSeconds(6));
      assertEquals(1, listener.pushes());
      write(file, "10.0.0.1:80\n");
      scheduler.advance(Duration.ofSeconds(2));
      assertEquals(2, listener.pushes(), "the same content is pushed again after the file was missing");
    }
  }

  @Test
  void emptyFileKeepsLastListUnlessConfigured() throws IOException {
    Path file = dir.resolve("users.servers");
    write(file, "10.0.0.1:80\n");
    try (ServerSource source = source(file)) {
      source.start(listener);
      write(file, "");
      scheduler.advance(Duration.ofSeconds(2));
      assertEquals(1, listener.pushes());
    }
    FakeListener other = new FakeListener();
    write(file, "10.0.0.1:80\n");
    try (ServerSource source =
        ServerSources.file(file).scheduler(scheduler).ticker(scheduler.ticker()).keepLastOnEmpty(false).build()) {
      source.start(other);
      write(file, "# all gone\n");
      scheduler.advance(FileSourceBuilder.DEFAULT_POLL_INTERVAL);
      assertEquals(2, other.pushes());
      assertEquals(List.of(), other.last());
    }
  }

  @Test
  void missingFileAtStartReportsAnErrorAndLoadsWhenItAppears() throws IOException {
    Path file = dir.resolve("later.servers");
    try (ServerSource source = source(file)) {
      source.start(listener);
      assertEquals(0, listener.pushes());
      assertEquals(1, listener.errors.size());
      assertEquals(file + ": no valid server list yet; retrying every PT2S",
          listener.errors.get(0).getMessage());
      write(file, "10.0.0.9:80\n");
      scheduler.advance(Duration.ofSeconds(2));
      assertEquals(List.of("10.0.0.9:80"), listener.lastIds());
    }
  }

  @Test
  void closeStopsPolling() throws IOException {
    Path file = dir.resolve("users.servers");
    write(file, "10.0.0.1:80\n");
    ServerSource source = source(file);
    source.start(listener);
    source.close();
    source.close();
    write(file, "10.0.0.2:80\n");
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals(1, listener.pushes());
    assertEquals(0, scheduler.pending());
  }

  @Test
  void aListenerThatClosesTheSourceLeavesNoPollScheduled() throws IOException {
    Path file = dir.resolve("users.servers");
    write(file, "10.0.0.1:80\n");
    ServerSource source = source(file);
    source.start(new ServerSource.Listener() {
      @Override
      public void onServers(List<Server> servers) {
        listener.onServers(servers);
        source.close();
      }
    });
    assertEquals(1, listener.pushes());
    assertEquals(0, scheduler.pending());
  }

  @Test
  void rejectsBadSettings() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> ServerSources.file(dir.resolve("x")).pollInterval(Duration.ZERO).build());
    assertEquals("pollInterval must be positive, was PT0S", e.getMessage());
  }

  @Test
  void startTwiceIsRejected() throws IOException {
    Path file = dir.resolve("users.servers");
    write(file, "10.0.0.1:80\n");
    try (ServerSource source = source(file)) {
      source.start(listener);
      assertThrows(IllegalStateException.class, () -> source.start(listener));
    }
  }
}
