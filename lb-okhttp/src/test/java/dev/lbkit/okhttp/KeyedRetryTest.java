package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the picker is asked for a keyed call and its retry. */
class KeyedRetryTest {
  private Backends backends;
  private LoadBalancer lb;

  @BeforeEach
  void start() throws IOException {
    backends = Backends.start(1);
  }

  @AfterEach
  void close() throws IOException {
    if (lb != null) {
      lb.close();
    }
    backends.close();
  }

  @Test
  void retryOfAKeyedCallKeepsTheKeyAndItsHashAndAvoidsTheServerTried() throws IOException {
    Server refusing = Backends.refusing();
    Server live = backends.server(0);
    lb = LoadBalancer.builder("user-service").algorithm(Algorithms.ringHash().build())
        .servers(List.of(refusing, live)).build();
    // A key whose home is the refusing server, so that its first attempt fails and is retried.
    String key = null;
    for (int k = 0; key == null; k++) {
      Selection s = lb.pick(PickContext.ofKey("user-" + k));
      if (s.server().equals(refusing)) {
        key = "user-" + k;
      }
      s.complete(0, Outcome.CANCELLED);
    }
    List<PickContext> asked = new CopyOnWriteArrayList<>();
    Picker recording = context -> {
      asked.add(context);
      return lb.pick(context);
    };
    OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
        .cluster("user-service", recording)
        .sticky("user-service", StickyPolicy.hashHeader("X-User"))
        .build());

    try (Response r = client.newCall(new Request.Builder().url("http://user-service/").header("X-User", key).build())
        .execute()) {
      assertEquals(200, r.code());
    }

    assertEquals(2, asked.size(), asked.toString());
    PickContext first = asked.get(0);
    PickContext retry = asked.get(1);
    assertEquals(PickContext.ofKey(key), first, "the first pick: the key alone");
    assertEquals(key, retry.hashKeyOrNull());
    assertEquals(first.keyHash(), retry.keyHash());
    assertEquals(Set.of(refusing.id()), retry.avoidIds());
    assertTrue(retry.avoids(refusing));
  }
}
