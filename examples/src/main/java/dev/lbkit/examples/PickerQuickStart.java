package dev.lbkit.examples;

import dev.lbkit.algorithms.Algorithms;
import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Server;

/** The README's quick start: calling a {@code Picker} directly, for any protocol. */
final class PickerQuickStart {

  private PickerQuickStart() {}

  static String callOnce() {
    // README:picker
    LoadBalancer users = LoadBalancer.builder("user-service")
        .servers(Server.of("10.0.0.1", 8080), Server.builder("10.0.0.2", 8080).weight(2).build())
        .algorithm(Algorithms.roundRobin())
        .build();
    Selection selection = users.pick();              // lock-free, never null
    long start = System.nanoTime();
    boolean ok = send(selection.server());           // your protocol: JDBC, raw TCP, gRPC...
    selection.complete(System.nanoTime() - start, ok ? Outcome.SUCCESS : Outcome.CONNECT_FAILURE);
    // README:end
    users.close();
    return selection.server().id();
  }

  private static boolean send(Server server) {
    return server.port() == 8080;
  }
}
