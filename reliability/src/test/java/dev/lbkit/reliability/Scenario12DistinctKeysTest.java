package dev.lbkit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbInternals;
import dev.lbkit.okhttp.LbOkHttp;
import dev.lbkit.okhttp.RateLimit;
import dev.lbkit.okhttp.StickyPolicy;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Row 12: 10⁵ distinct sticky-session values and rate-limit keys (10⁶ in the soak) cost bounded
 * memory.
 *
 * <p>Cluster {@code cart} has application-cookie stickiness on {@code JSESSIONID} (at most
 * {@value #CAP} sessions) and a per-key rate limit on {@code X-Api-Key} (at most {@value #CAP}
 * keys). Every request carries a cookie value and a key never seen before, and every response
 * sets a new session ({@link InProcessBackend}: in-process, since 10⁵ loopback calls would take
 * minutes here), so both caches take a new entry per request. Caffeine's maintenance runs on the
 * calling thread ({@link LbConfig.Builder#cacheExecutor}).
 *
 * <p>At five checkpoints the test reads both caches' sizes (through {@link LbInternals}) and the
 * heap in use after a full GC. The caches fill within the first fifth; from the second
 * checkpoint on, the heap must stay within 10% of its value there.
 */
class Scenario12DistinctKeysTest {

  private static final int CAP = 10_000;
  private static final int DISTINCT = (int) Profile.pick(100_000, 1_000_000);
  private static final int CHECKPOINTS = 5;

  @Test
  void distinctSessionsAndKeysStayWithinTheirCapsAndTheHeapStaysFlat() throws Exception {
    AtomicLong issued = new AtomicLong();
    InProcessBackend backend = new InProcessBackend(r -> "JSESSIONID=s" + issued.incrementAndGet() + "; Path=/");
    LoadBalancer lb = LoadBalancer.builder("cart").algorithm(Algorithms.roundRobin())
        .servers(Server.of("127.0.0.1", 8081), Server.of("127.0.0.1", 8082), Server.of("127.0.0.1", 8083)).build();
    OkHttpClient client = backend.install(LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .cluster("cart", lb)
        .sticky("cart", StickyPolicy.applicationCookie("JSESSIONID", CAP, Duration.ofMinutes(30)))
        .rateLimit(RateLimit.builder(RateLimit.Algorithm.TOKEN_BUCKET, 1_000, Duration.ofSeconds(1))
            .perKey("X-Api-Key").maxKeys(CAP).build())
        .cacheExecutor(Runnable::run)
        .build()));

    List<Long> heap = new ArrayList<>();
    long maxSessions = 0;
    long maxKeys = 0;
    int perCheckpoint = DISTINCT / CHECKPOINTS;
    for (int c = 0; c < CHECKPOINTS; c++) {
      for (int i = c * perCheckpoint; i < (c + 1) * perCheckpoint; i++) {
        Request request = new Request.Builder().url("http://cart/items")
            .header("Cookie", "JSESSIONID=forged-" + i).header("X-Api-Key", "key-" + i).build();
        try (Response r = client.newCall(request).execute()) {
          assertEquals(200, r.code());
        }
      }
      maxSessions = Math.max(maxSessions, LbInternals.stickySessions(client, "cart"));
      maxKeys = Math.max(maxKeys, LbInternals.rateLimitKeys(client, 0));
      heap.add(usedAfterGc());
    }
    lb.close();
    long base = heap.get(1);
    long worst = heap.subList(1, heap.size()).stream().mapToLong(Long::longValue).max().orElseThrow();
    double growth = (worst - base) / (double) base;
    boolean pass = maxSessions <= CAP && maxKeys <= CAP && growth <= 0.10;
    ScenarioTable.record("12", DISTINCT + " distinct session cookies and " + DISTINCT + " rate-limit keys (caps "
            + CAP + " each), in-process",
        "entries ≤ caps; heap after GC flat within 10% (from the 2nd of 5 checkpoints)",
        "max " + maxSessions + " sessions, " + maxKeys + " keys; heap after GC " + mb(base) + " → max " + mb(worst)
            + " MB (" + String.format("%+.1f%%", growth * 100) + ")", pass);
    assertTrue(maxSessions <= CAP, "sessions " + maxSessions);
    assertTrue(maxKeys <= CAP, "keys " + maxKeys);
    assertTrue(maxSessions >= CAP / 2 && maxKeys >= CAP / 2, "the caches filled: " + maxSessions + ", " + maxKeys);
    assertTrue(growth <= 0.10, "heap after GC per checkpoint, bytes: " + heap);
  }

  private static String mb(long bytes) {
    return String.format("%.1f", bytes / 1e6);
  }

  /** Heap in use after full collections: the least of two, so a collection that raced an allocation does not count. */
  private static long usedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 2; i++) {
      System.gc();
      least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
    }
    return least;
  }
}
