package dev.lbkit.health;

import dev.lbkit.api.Server;
import java.util.concurrent.CompletableFuture;

/**
 * One kind of active probe of one server: a TCP connect, an HTTP request, or a user function.
 * {@link ActiveHealthCheck} runs it on a schedule and turns the results into verdicts.
 *
 * <p><b>Never block.</b> {@link #check} runs on the shared health scheduler thread: it starts
 * asynchronous work and returns at once. The checker enforces its timeout by cancelling the
 * returned future; implementations release their sockets or calls when that happens. A future
 * completed exceptionally counts as a failed check whose detail is the exception's message.
 *
 * <p>Built-in kinds are in {@link HealthChecks}. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface HealthCheck {

  /** Starts one check of {@code server} and returns its result, to complete later. */
  CompletableFuture<CheckResult> check(Server server);
}
