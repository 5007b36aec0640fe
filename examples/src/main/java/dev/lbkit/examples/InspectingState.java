package dev.lbkit.examples;

import dev.lbkit.algorithms.LoadBalancer;
import dev.lbkit.api.HealthState;
import dev.lbkit.api.LoadBalancerListener;
import dev.lbkit.api.Server;
import dev.lbkit.api.ServerView;
import dev.lbkit.okhttp.ClusterCounters;
import dev.lbkit.okhttp.LbEventListener;
import dev.lbkit.okhttp.LbException;
import dev.lbkit.okhttp.LbOkHttp;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's "Inspecting state": what a running balancer and a wrapped client tell, on demand
 * (views, panic, counters) and as it happens (the two listener interfaces).
 */
final class InspectingState {

  private static final Logger log = LoggerFactory.getLogger(InspectingState.class);

  private InspectingState() {}

  /** Prints every server's state, whether the cluster is in panic, and the client's counters. */
  static void print(LoadBalancer users, OkHttpClient client, PrintStream out) {
    // README:inspect
    for (ServerView v : users.servers()) {            // one immutable view per server
      out.printf("%s: %s, %d in flight, %d failures in a row %s%n", v.server().id(), v.health().reason(),
          v.inFlight(), v.consecutiveFailures(), v.details());
    }
    if (users.inPanic()) {                            // too few pickable servers: see "Known behaviours"
      out.println("user-service is in panic");
    }
    ClusterCounters c = LbOkHttp.counters(client).get("user-service");
    out.printf("%d requests, %d attempts, %d retries, %d failed attempts, %d without a server%n",
        c.requests(), c.attempts(), c.retries(), c.failures(), c.noServer());
    // README:end
  }

  // README:listeners
  /** A balancer's state changes, on its control plane: pass to LoadBalancer.builder(...).listener. */
  static final class StateLog implements LoadBalancerListener {
    @Override
    public void onHealthChanged(String cluster, Server server, HealthState previous, HealthState current) {
      log.info("{}: {} is {} (was {})", cluster, server.id(), current.reason(), previous.reason());
    }

    @Override
    public void onPanic(String cluster, boolean active, String detail) {
      log.warn("{}: {}", cluster, detail);
    }
  }

  /** A wrapped client's decisions, on the calling thread: pass to LbConfig.builder().listener. */
  static final class CallLog implements LbEventListener {
    @Override
    public void retryScheduled(Call call, String cluster, int nextAttempt, long backoffNanos, String reason) {
      log.info("{}: attempt {} of {} in {} ms, after {}", cluster, nextAttempt, call.request().url().encodedPath(),
          TimeUnit.NANOSECONDS.toMillis(backoffNanos), reason);
    }

    @Override
    public void callRejected(Call call, LbException rejection) {
      log.warn("{}: {} refused: {}", rejection.cluster(), rejection.reason(), rejection.getMessage());
    }
  }
  // README:end
}
