package dev.lbkit.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.ServerSource;
import dev.lbkit.testing.RecordingListener;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing a source ends every thread it started: its own, and those of the jetcd client it made
 * (jetcd's, Vert.x's event loops, gRPC's), so its connections are gone too.
 */
class EtcdThreadsTest {

  /** The name prefixes of the threads a source and its jetcd client run. */
  private static final List<String> PREFIXES = List.of("lbkit-etcd-", "jetcd-", "vert.x-", "vertx-", "grpc-");

  @TempDir Path dir;

  @Test
  void closeEndsEveryThreadTheSourceStarted() throws Exception {
    try (Etcd etcd = Etcd.start(dir)) {
      try (Client admin = Client.builder().endpoints(etcd.endpoint()).build()) {
        admin.getKVClient().put(ByteSequence.from("/threads/a", StandardCharsets.UTF_8),
            ByteSequence.from("{\"host\":\"10.0.0.1\",\"port\":8080}", StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
      }
      // No client is open now (the admin client's threads, and earlier tests', end shortly).
      List<String> before = settledThreads();
      assertEquals(List.of(), before);

      ServerSource source = EtcdSources.prefix("/threads/").endpoints(etcd.endpoint()).build();
      RecordingListener listener = new RecordingListener();
      source.start(listener);
      listener.awaitIds(List.of("10.0.0.1:8080"), Duration.ofSeconds(30));
      List<String> running = threads();
      assertTrue(running.contains("lbkit-etcd-/threads/"), running.toString());
      assertTrue(running.size() > before.size() + 1, "the jetcd client's threads: " + running);

      source.close();
      assertEquals(before, settledThreads(), "threads left 10 s after close (while open: " + running + ")");
    }
  }

  /**
   * The threads once none is left, or after 10 s. jetcd closes a client's Vert.x threads
   * asynchronously, so they end a little after {@code close()} returns.
   */
  private static List<String> settledThreads() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!threads().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return threads();
  }

  private static List<String> threads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> PREFIXES.stream().anyMatch(n::startsWith))
        .sorted()
        .collect(Collectors.toList());
  }
}
