package dev.lbkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.NoAvailableServerException;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.examples.RawTcpExample.LineServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RawTcpExampleTest {

  @Test
  void everyLineIsAnsweredWhenOneServerRefusesConnections() throws IOException {
    try (LineServer alpha = LineServer.start("alpha");
        LineServer beta = LineServer.start("beta")) {
      Server refusing = Server.of("127.0.0.1", RawTcpExample.refusingPort());
      try (LoadBalancer lb =
          LoadBalancer.builder("echo").servers(alpha.server(), beta.server(), refusing).build()) {
        Set<String> answeredBy = new HashSet<>();
        for (int i = 0; i < 12; i++) {
          String answer = RawTcpExample.call(lb, "ping " + i);
          assertTrue(answer.endsWith(": PING " + i), answer);
          answeredBy.add(answer.substring(0, answer.indexOf(':')));
        }
        assertEquals(Set.of("alpha", "beta"), answeredBy);
        assertEquals(12, alpha.requests() + beta.requests());
        ServerView refused = view(lb, refusing);
        assertEquals(Outcome.CONNECT_FAILURE, refused.lastOutcome());
        // Round robin offers each server once per 3 picks, retries included: at least 12/3.
        assertTrue(refused.consecutiveFailures() >= 4, refused.toString());
        assertEquals(Outcome.SUCCESS, view(lb, alpha.server()).lastOutcome());
      }
    }
  }

  @Test
  void aWrittenRequestIsNeverResent() throws IOException {
    try (LineServer mute = LineServer.start("mute", false);
        LineServer other = LineServer.start("other", false)) {
      try (LoadBalancer lb =
          LoadBalancer.builder("echo").servers(mute.server(), other.server()).build()) {
        IOException e = assertThrows(IOException.class, () -> RawTcpExample.call(lb, "transfer 100"));
        assertTrue(e.getMessage().endsWith(" closed the connection without answering"), e.getMessage());
        assertEquals(1, mute.requests() + other.requests());
        Server tried = mute.requests() == 1 ? mute.server() : other.server();
        assertEquals(Outcome.IO_ERROR, view(lb, tried).lastOutcome());
      }
    }
  }

  @Test
  void explainsWhyWhenEveryServerRefuses() throws IOException {
    Server a = Server.of("127.0.0.1", RawTcpExample.refusingPort());
    Server b = Server.of("127.0.0.1", RawTcpExample.refusingPort());
    try (LoadBalancer lb = LoadBalancer.builder("echo").servers(a, b).build()) {
      NoAvailableServerException e =
          assertThrows(NoAvailableServerException.class, () -> RawTcpExample.call(lb, "hello"));
      assertEquals("echo: 0 of 2 servers pickable (2 already tried)", e.getMessage());
      assertEquals(1, e.getSuppressed().length);
    }
  }

  @Test
  void mainPrintsTenAnswersAndTheRefusedServer() throws IOException {
    String out = captureOut(() -> RawTcpExample.main(new String[0]));
    assertEquals(10, out.lines().filter(l -> l.matches("hello \\d+ -> (alpha|beta): HELLO \\d+")).count(), out);
    assertTrue(out.contains("last outcome CONNECT_FAILURE"), out);
  }

  static ServerView view(LoadBalancer lb, Server server) {
    return lb.servers().stream().filter(v -> v.server().id().equals(server.id())).findFirst().orElseThrow();
  }

  interface IoRunnable {
    void run() throws IOException;
  }

  static String captureOut(IoRunnable body) throws IOException {
    PrintStream saved = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setOut(saved);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
