package dev.lbkit.health;

import java.util.Objects;

/**
 * The result of one active health check: passed or failed, and a short detail for logs and
 * the server's snapshot, such as {@code "GET /health returned 503"}. Immutable.
 */
public final class CheckResult {

  private final boolean healthy;
  private final String detail;

  private CheckResult(boolean healthy, String detail) {
    this.healthy = healthy;
    this.detail = Objects.requireNonNull(detail, "detail");
  }

  /** A passed check. */
  public static CheckResult healthy(String detail) {
    return new CheckResult(true, detail);
  }

  /** A failed check. */
  public static CheckResult unhealthy(String detail) {
    return new CheckResult(false, detail);
  }

  /** Whether the check passed. */
  public boolean isHealthy() {
    return healthy;
  }

  /** What the check saw, in a few words. */
  public String detail() {
    return detail;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CheckResult)) {
      return false;
    }
    CheckResult r = (CheckResult) o;
    return healthy == r.healthy && detail.equals(r.detail);
  }

  @Override
  public int hashCode() {
    return Objects.hash(healthy, detail);
  }

  @Override
  public String toString() {
    return (healthy ? "healthy: " : "unhealthy: ") + detail;
  }
}
