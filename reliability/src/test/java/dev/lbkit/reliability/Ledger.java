package dev.lbkit.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

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
  /** Ids {@code prefix + n} with n in [0, capacity) count here instead: fixed memory, for the soak. */
  private final String numberedPrefix;
  private final AtomicIntegerArray numbered;

  /** A ledger that keeps every id in a map. */
  public Ledger() {
    this(null, 0);
  }

  private Ledger(String prefix, int capacity) {
    this.numberedPrefix = prefix;
    this.numbered = new AtomicIntegerArray(capacity);
  }

  /**
   * A ledger whose ids {@code prefix + n}, n in [0, capacity), are counted in an array allocated
   * up front, so that a long run's heap does not grow with the requests it records. Other ids go
   * to the map, as in {@link #Ledger()}.
   */
  public static Ledger numbered(String prefix, int capacity) {
    return new Ledger(prefix, capacity);
  }

  /** Records one request received by a backend; requests without an id are not recorded. */
  void record(String id, String method) {
    if (id == null) {
      return;
    }
    int n = number(id);
    if (n >= 0) {
      numbered.incrementAndGet(n);
      return;
    }
    received.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    methods.putIfAbsent(id, method);
  }

  /** How many times any backend received the request {@code id}. */
  public int received(String id) {
    int i = number(id);
    if (i >= 0) {
      return numbered.get(i);
    }
    AtomicInteger n = received.get(id);
    return n == null ? 0 : n.get();
  }

  /** Distinct request ids received (in the map: numbered ids are not counted). */
  public int distinct() {
    return received.size();
  }

  /** Requests received, every copy counted (in the map: numbered ids are not counted). */
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

  /** The number of a numbered id, or -1. */
  private int number(String id) {
    if (numberedPrefix == null || !id.startsWith(numberedPrefix)) {
      return -1;
    }
    try {
      int n = Integer.parseInt(id, numberedPrefix.length(), id.length(), 10);
      return n >= 0 && n < numbered.length() ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Forgets everything received. */
  public void clear() {
    received.clear();
    methods.clear();
  }
}
