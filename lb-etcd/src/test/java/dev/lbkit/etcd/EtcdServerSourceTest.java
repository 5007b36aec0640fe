package dev.lbkit.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerSource;
import dev.lbkit.testing.RecordingListener;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source against a real etcd started by the test. */
class EtcdServerSourceTest {

  /** Bound of every wait: generous, for a loaded two-core machine; passing runs take far less. */
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String PREFIX = "/services/orders/";

  @TempDir Path dir;
  private Etcd etcd;
  private Client admin;
  private ServerSource source;

  @BeforeEach
  void startEtcd() throws Exception {
    etcd = Etcd.start(dir);
    admin = Client.builder().endpoints(etcd.endpoint()).build();
  }

  @AfterEach
  void stopEverything() {
    if (source != null) {
      source.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private static String value(String host, int port) {
    return "{\"host\":\"" + host + "\",\"port\":" + port + "}";
  }

  private long put(String key, String value) throws Exception {
    return admin.getKVClient().put(bytes(key), bytes(value)).get(10, TimeUnit.SECONDS).getHeader().getRevision();
  }

  private long delete(String key) throws Exception {
    return admin.getKVClient().delete(bytes(key)).get(10, TimeUnit.SECONDS).getHeader().getRevision();
  }

  private EtcdSourceBuilder orders() {
    return EtcdSources.prefix(PREFIX)
        .endpoints(etcd.endpoint())
        .requestTimeout(Duration.ofSeconds(2))
        .retryDelay(Duration.ofMillis(200));
  }

  private RecordingListener start(EtcdSourceBuilder builder) {
    source = builder.build();
    RecordingListener listener = new RecordingListener();
    source.start(listener);
    return listener;
  }

  @Test
  void pushesTheServersUnderThePrefixAndFollowsPutsAndDeletes() throws Exception {
    put(PREFIX + "a", value("10.0.0.1", 8080));
    put(PREFIX + "b", value("10.0.0.2", 8080));
    put("/services/orders-canary/x", value("10.0.9.9", 8080)); // a neighbour, not under the prefix
    RecordingListener listener = start(orders());
    listener.awaitIds(List.of("10.0.0.1:8080", "10.0.0.2:8080"), WAIT);

    put(PREFIX + "c", value("10.0.0.3", 8080));
    listener.awaitIds(List.of("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080"), WAIT);
    delete(PREFIX + "a");
    listener.awaitIds(List.of("10.0.0.2:8080", "10.0.0.3:8080"), WAIT);

    put(PREFIX + "b", "{\"host\":\"10.0.0.2\",\"port\":8080,\"weight\":4,\"zone\":\"us-east-1a\","
        + "\"metadata\":{\"version\":\"2.4.1\"}}");
    Server b = listener.awaitList(l -> l.get(0).weight() == 4, WAIT, "b at weight 4").get(0);
    assertEquals(Optional.of("us-east-1a"), b.zone());
    assertEquals(Map.of("version", "2.4.1"), b.metadata());

    assertEquals(List.of(), listener.errors());
  }

  @Test
  void aDrainingServerStaysInTheClusterButGetsNoNewPicks() throws Exception {
    put(PREFIX + "a", value("10.0.0.1", 8080));
    put(PREFIX + "b", value("10.0.0.2", 8080));
    RecordingListener listener = start(orders());
    listener.awaitIds(List.of("10.0.0.1:8080", "10.0.0.2:8080"), WAIT);
    assertEquals(Set.of(), listener.lastDraining());

    put(PREFIX + "b", "{\"host\":\"10.0.0.2\",\"port\":8080,\"state\":\"draining\"}");
    listener.awaitList(l -> listener.lastDraining().equals(Set.of("10.0.0.2:8080")), WAIT, "b draining");
    assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080"), listener.lastIds());

    // Through a balancer: b stays, reported as draining, and is never picked.
    try (LoadBalancer lb = LoadBalancer.builder("orders").source(orders().build()).build()) {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!lb.servers().stream().anyMatch(v -> v.health().reason().equals("draining"))) {
        assertTrue(System.nanoTime() < deadline, "no draining server in " + lb.servers());
        Thread.sleep(10);
      }
      assertEquals(2, lb.servers().size());
      for (int i = 0; i < 50; i++) {
        Selection pick = lb.pick();
        assertEquals("10.0.0.1:8080", pick.server().id());
        pick.complete(1_000, Outcome.SUCCESS);
      }
    }

    put(PREFIX + "b", value("10.0.0.2", 8080)); // serving again: the drain ends
    listener.awaitList(l -> listener.lastDraining().isEmpty(), WAIT, "b serving");
    assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080"), listener.lastIds());
  }

  @Test
  void aLeasedRegistrationDisappearsWhenItsLeaseExpires() throws Exception {
    put(PREFIX + "a", value("10.0.0.1", 8080));
    long lease = admin.getLeaseClient().grant(2).get(10, TimeUnit.SECONDS).getID();
    admin.getKVClient().put(bytes(PREFIX + "leased"), bytes(value("10.0.0.2", 8080)),
        PutOption.builder().withLeaseId(lease).build()).get(10, TimeUnit.SECONDS);
    long registeredAt = System.nanoTime();
    RecordingListener listener = start(orders());
    listener.awaitIds(List.of("10.0.0.1:8080", "10.0.0.2:8080"), WAIT);

    // Nobody renews the lease: etcd deletes the key when its 2 s run out.
    listener.awaitIds(List.of("10.0.0.1:8080"), WAIT);
    long tookMillis = (System.nanoTime() - registeredAt) / 1_000_000;
    assertTrue(tookMillis >= 1_500, "the leased key left after " + tookMillis + " ms, before its lease could expire");
    assertEquals(List.of(), listener.errors());
  }

  @Test
  void aCompactionPastTheWatchedRevisionMakesItReadThePrefixAgain() throws Exception {
    put(PREFIX + "a", value("10.0.0.1", 8080));
    put(PREFIX + "b", value("10.0.0.2", 8080));
    EtcdServerSource etcdSource = (EtcdServerSource) orders().build();
    source = etcdSource;
    AtomicBoolean forced = new AtomicBoolean();
    // Between the first read and the start of its watch, the prefix changes and etcd compacts
    // its history past the revision the watch will ask for: the watch must fail as compacted.
    etcdSource.afterRead = () -> {
      if (forced.compareAndSet(false, true)) {
        try {
          delete(PREFIX + "a");
          long revision = put(PREFIX + "c", value("10.0.0.3", 8080));
          KV kv = admin.getKVClient();
          kv.compact(revision, CompactOption.builder().withCompactPhysical(true).build()).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    };
    RecordingListener listener = new RecordingListener();
    source.start(listener);

    Throwable error = listener.awaitError("compacted", WAIT);
    assertTrue(error.getMessage().contains("reading the prefix again"), error.getMessage());
    listener.awaitIds(List.of("10.0.0.2:8080", "10.0.0.3:8080"), WAIT);
    assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080"),
        listener.lists().get(0).stream().map(Server::id).collect(java.util.stream.Collectors.toList()));

    // And the new watch works.
    put(PREFIX + "d", value("10.0.0.4", 8080));
    listener.awaitIds(List.of("10.0.0.2:8080", "10.0.0.3:8080", "10.0.0.4:8080"), WAIT);
  }

  @Test
  void keepsTheLastListWhileEtcdIsDownAndCatchesUpAfterARestart() throws Exception {
    put(PREFIX + "a", value("10.0.0.1", 8080));
    put(PREFIX + "b", value("10.0.0.2", 8080));
    RecordingListener listener = start(orders());
    List<Server> good = listener.awaitIds(List.of("10.0.0.1:8080", "10.0.0.2:8080"), WAIT);

    etcd.stop();
    // How jetcd sees the stop depends on timing: an error it passes on (the source then reads the
    // prefix again, fails while etcd is down, and says so through onError), or a broken stream
    // it deems transient and resumes by itself once etcd is back (nothing to report). Either way
    // nothing is pushed meanwhile, and every report says the last list is kept.
    assertEquals(List.of(good), listener.lists(), "nothing pushed while etcd was down");

    etcd.restart(); // same ports, same data directory
    assertEquals(List.of(good), listener.lists(), "nothing pushed while etcd was down");
    for (Throwable t : listener.errors()) {
      assertTrue(t.getMessage().contains("keeping the last list of 2 servers"), t.getMessage());
    }
    put(PREFIX + "c", value("10.0.0.3", 8080));
    listener.awaitIds(List.of("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080"), WAIT);
    delete(PREFIX + "a");
    listener.awaitIds(List.of("10.0.0.2:8080", "10.0.0.3:8080"), WAIT);
  }

  @Test
  void badValuesAreLeftOutAndTheOthersStay() throws Exception {
    put(PREFIX + "a", value("10.0.0.1", 8080));
    put(PREFIX + "junk", "{not json");
    put(PREFIX + "heavy", "{\"host\":\"10.0.0.6\",\"port\":8080,\"weight\":0}");
    RecordingListener listener = start(orders());
    listener.awaitIds(List.of("10.0.0.1:8080"), WAIT);

    put(PREFIX + "heavy", "{\"host\":\"10.0.0.6\",\"port\":8080,\"weight\":20}");
    listener.awaitIds(List.of("10.0.0.1:8080", "10.0.0.6:8080"), WAIT);
  }

  @Test
  void anEmptiedPrefixKeepsTheLastListUnlessTold() throws Exception {
    put(PREFIX + "a", value("10.0.0.1", 8080));
    RecordingListener keeping = start(orders());
    ServerSource allowing = orders().keepLastOnEmpty(false).build();
    RecordingListener emptying = new RecordingListener();
    allowing.start(emptying);
    try {
      keeping.awaitIds(List.of("10.0.0.1:8080"), WAIT);
      emptying.awaitIds(List.of("10.0.0.1:8080"), WAIT);
      delete(PREFIX + "a");
      emptying.awaitIds(List.of(), WAIT);
      put(PREFIX + "b", value("10.0.0.2", 8080));
      keeping.awaitIds(List.of("10.0.0.2:8080"), WAIT);
      assertEquals(2, keeping.lists().size(), "pushed: " + keeping.lists());
    } finally {
      allowing.close();
    }
  }

  @Test
  void aClientGivenToTheBuilderIsUsedAndLeftOpen() throws Exception {
    put(PREFIX + "a", value("10.0.0.1", 8080));
    RecordingListener listener = start(EtcdSources.prefix(PREFIX).client(admin));
    listener.awaitIds(List.of("10.0.0.1:8080"), WAIT);
    source.close();
    // The client still works.
    put(PREFIX + "b", value("10.0.0.2", 8080));
    assertEquals(2, admin.getKVClient().get(bytes(PREFIX), io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build())
        .get(10, TimeUnit.SECONDS).getCount());
  }
}
