package dev.lbkit.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.ServerSource;
import dev.lbkit.testing.RecordingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing a source ends every thread it started, and so releases its connection. */
class ZookeeperThreadsTest {

  private static final String PREFIX = "lbkit-zookeeper-threads";

  @TempDir Path dir;

  @Test
  void closeEndsEveryThreadTheSourceStarted() throws Exception {
    try (ZkFixture zk = new ZkFixture(dir)) {
      zk.registrant().discovery.registerService(ZkFixture.instance("threads", "a", "10.0.0.1", 8080, Map.of()));
      assertEquals(List.of(), threads(), "threads before the source started");

      ServerSource source = ZookeeperSources.discovery("threads")
          .connectString(zk.connectString())
          .sessionTimeout(Duration.ofSeconds(2))
          .build();
      assertEquals(List.of(), threads(), "build() must start nothing");
      RecordingListener listener = new RecordingListener();
      source.start(listener);
      listener.awaitIds(List.of("10.0.0.1:8080"), Duration.ofSeconds(20));
      List<String> running = threads();
      // The ZooKeeper handle's I/O and event threads, named after the source.
      assertTrue(running.stream().anyMatch(n -> n.startsWith(PREFIX + "-SendThread(")), running.toString());
      assertTrue(running.stream().anyMatch(n -> n.equals(PREFIX + "-EventThread")), running.toString());

      source.close();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!threads().isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
        Thread.yield();
      }
      assertEquals(List.of(), threads(), "threads left 10 s after close (they were " + running + ")");
    }
  }

  private static List<String> threads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith(PREFIX))
        .sorted()
        .collect(Collectors.toList());
  }
}
