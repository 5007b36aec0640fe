package dev.lbkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.CookieJar;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The README's recipe against three real backends, one of which answers 503 to calls. */
class ThreeServerRecipeTest {

  private final List<MockWebServer> backends = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    for (MockWebServer b : backends) {
      b.close();
    }
  }

  /** A backend whose /health answers 200, and whose other paths answer {@code status}. */
  private Server backend(int status) throws IOException {
    MockWebServer web = new MockWebServer();
    web.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        boolean health = request.getUrl().encodedPath().equals("/health");
        return new MockResponse.Builder().code(health ? 200 : status).body("ok").build();
      }
    });
    web.start(InetAddress.getLoopbackAddress(), 0);
    backends.add(web);
    return Server.of("127.0.0.1", web.getPort());
  }

  @Test
  void aServerAnswering503IsEjectedWhileEveryCallSucceeds() throws IOException {
    Server bad = backend(503);
    List<Server> servers = List.of(backend(200), bad, backend(200));
    ThreeServerRecipe.Recipe recipe = ThreeServerRecipe.build(servers, CookieJar.NO_COOKIES);
    try (var users = recipe.users) {
      // Power of two choices over three idle servers sends a call's first attempt to the bad one
      // one time in three, at random, so a fixed 30 calls gave it fewer than the 5 attempts an
      // ejection needs in about one run of 80 (binomial). Calls go on until it is ejected, 300 at
      // most (fewer than 5 attempts in 300: a chance below 10^-45).
      ServerView view = null;
      for (int i = 0; i < 300 && ejections(view) == 0; i++) {
        try (Response r = recipe.client.newCall(new Request.Builder().url("http://user-service/").build()).execute()) {
          assertEquals(200, r.code(), "a 503 is retried on another server");
        }
        view = users.servers().stream().filter(v -> v.server().equals(bad)).findFirst().orElseThrow();
      }
      // Ejected at least once. Its shallow /health keeps passing, so an active check may already
      // have lifted the ejection (unejectOnActiveCheckSuccess) by the time this reads the view,
      // depending on when the check ran: count ejections, not the state of the moment.
      assertTrue(ejections(view) >= 1, String.valueOf(view));
    }
  }

  private static int ejections(ServerView view) {
    return view == null ? 0 : Integer.parseInt(view.details().getOrDefault("ejections", "0"));
  }
}
