package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * A refusing port among healthy backends, under least response time and no outlier detection:
 * a refused connect answers in about 0.1 ms, and before 0.2.0 it was sampled as that latency,
 * so the dead server looked like the fastest one (390 of 400 first attempts went to it, and 210
 * of 400 calls failed with the retry budget exhausted).
 */
class FailFastServerTest {

  @Test
  void refusingPortGetsUnderFivePercentOfFirstAttemptsAndNoCallFails() throws Exception {
    try (Backends backends = Backends.start(2)) {
      Server refusing = Backends.refusing();
      List<Server> servers = new ArrayList<>(backends.all());
      servers.add(refusing);
      AtomicInteger firstAttempts = new AtomicInteger();
      AtomicInteger firstToRefusing = new AtomicInteger();
      LbEventListener counting = new LbEventListener() {
        @Override
        public void attemptStarted(Call call, String cluster, Server server, int attempt) {
          if (attempt == 1) {
            firstAttempts.incrementAndGet();
            if (server.equals(refusing)) {
              firstToRefusing.incrementAndGet();
            }
          }
        }
      };
      try (LoadBalancer lb = LoadBalancer.builder("user-service").servers(servers)
          .algorithm(Algorithms.leastResponseTime().build()).build()) {
        OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(),
            LbConfig.builder().cluster("user-service", lb).listener(counting).build());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger failed = new AtomicInteger();
        try {
          List<Future<?>> done = new ArrayList<>();
          for (int t = 0; t < 4; t++) {
            done.add(pool.submit(() -> {
              for (int i = 0; i < 100; i++) {
                Request request = new Request.Builder().url("http://user-service/users/" + i).build();
                try (Response response = client.newCall(request).execute()) {
                  response.body().string();
                  if (response.code() != 200) {
                    failed.incrementAndGet();
                  }
                } catch (java.io.IOException e) {
                  failed.incrementAndGet();
                }
              }
              return null;
            }));
          }
          for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
          }
        } finally {
          pool.shutdownNow();
        }
        assertEquals(400, firstAttempts.get());
        assertEquals(0, failed.get(), "failed calls with the default retry policy");
        assertTrue(firstToRefusing.get() <= 20,
            firstToRefusing.get() + " of 400 first attempts went to the refusing port");
      }
    }
  }
}
