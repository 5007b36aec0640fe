package dev.lbkit.health;

import dev.lbkit.api.Server;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A check whose answer the test sets: pass, fail, or hang (a future that never completes). */
final class FakeCheck implements HealthCheck {
  enum Mode { PASS, FAIL, HANG }

  volatile Mode mode = Mode.PASS;
  final AtomicInteger calls = new AtomicInteger();
  final List<CompletableFuture<CheckResult>> hung = new CopyOnWriteArrayList<>();

  @Override
  public CompletableFuture<CheckResult> check(Server server) {
    calls.incrementAndGet();
    switch (mode) {
      case PASS:
        return CompletableFuture.completedFuture(CheckResult.healthy("ok"));
      case FAIL:
        return CompletableFuture.completedFuture(CheckResult.unhealthy("refused"));
      default:
        CompletableFuture<CheckResult> f = new CompletableFuture<>();
        hung.add(f);
        return f;
    }
  }
}
