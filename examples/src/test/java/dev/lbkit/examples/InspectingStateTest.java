package dev.lbkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Server;
import dev.lbkit.examples.StickySessionsExample.Backend;
import dev.lbkit.okhttp.LbConfig;
import dev.lbkit.okhttp.LbOkHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The README's "Inspecting state": views, panic and counters, with both listeners attached. */
class InspectingStateTest {

  private final List<Backend> backends = List.of(Backend.start("a"), Backend.start("b"));
  private final List<Server> servers = backends.stream().map(Backend::server).collect(Collectors.toList());

  @AfterEach
  void stop() {
    backends.forEach(Backend::stop);
  }

  @Test
  void printsViewsPanicAndCounters() throws IOException {
    try (LoadBalancer users = LoadBalancer.builder("user-service").servers(servers)
        .listener(new InspectingState.StateLog()).build()) {
      OkHttpClient client = LbOkHttp.wrap(new OkHttpClient(), LbConfig.builder()
          .cluster("user-service", users).listener(new InspectingState.CallLog()).build());
      for (int i = 0; i < 4; i++) {
        try (Response r = client.newCall(new Request.Builder().url("http://user-service/").build()).execute()) {
          r.body().string();
        }
      }
      users.drain(servers.get(1));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      InspectingState.print(users, client, new PrintStream(out, true, StandardCharsets.UTF_8));
      assertEquals(List.of(
          servers.get(0).id() + ": pickable: no health verdict yet, 0 in flight, 0 failures in a row {}",
          servers.get(1).id() + ": draining, 0 in flight, 0 failures in a row {}",
          "4 requests, 4 attempts, 0 retries, 0 failed attempts, 0 without a server"),
          List.of(out.toString(StandardCharsets.UTF_8).split("\n")));
    }
  }
}
