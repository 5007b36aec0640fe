package dev.lbkit.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the backends of one scenario received, by request id (the {@value #REQUEST_ID} header the
 * scenario sets on every logical request): losses and duplicates are counted from it, not
 * inferred from what the client saw. Shared by every backend of a scenario, HTTP/1.1 and h2c.
 *
 * <p><b>Threading.</b> Safe for concurrent use.
 */
public final class Ledger {

  /** The header that carries a logical request's id; retries of the request carry the same. */
  public static final String REQUEST_ID = "X-Request-Id";

  private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
  private final Map<String, String> methods = new ConcurrentHashMap<>();

  /** Records one request received by a backend; requests without an id are not recorded. */
  void record(String id, String method) {
    if (id == null) {
      return;
    }
    received.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    methods.putIfAbsent(id, method);
  }

  /** How many times any backend received the request {@code id}. */
  public int received(String id) {
    AtomicInteger n = received.get(id);
    return n == null ? 0 : n.get();
  }

  /** Distinct request ids received. */
  public int distinct() {
    return received.size();
  }

  /** Requests received, every copy counted. */
  public long total() {
    long n = 0;
    for (AtomicInteger c : received.values()) {
      n += c.get();
    }
    return n;
  }

  /** The ids received more than once whose method was {@code method}, e.g. POSTs executed twice. */
  public List<String> duplicates(String method) {
    List<String> ids = new ArrayList<>();
    for (Map.Entry<String, AtomicInteger> e : received.entrySet()) {
      if (e.getValue().get() > 1 && method.equals(methods.get(e.getKey()))) {
        ids.add(e.getKey());
      }
    }
    return ids;
  }

  /** Forgets everything received. */
  public void clear() {
    received.clear();
    methods.clear();
  }
}
