package dev.lbkit.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The {@code http.client.request.duration} timers of one client, one per tag combination,
 * found without building a key on the way: a call that got a response finds its timer through
 * the logical host (a string whose hash the JVM caches), a scan of that host's ports (usually
 * one), and two array reads indexed by method and status code. Failed calls, rarer, go through a
 * map keyed by a built string.
 *
 * <p>Why: the previous lookup built a five-part key string per call and hashed it, which was a
 * measurable share of the listener's cost per call (benchmarks/README.md, interceptor section).
 *
 * <p>The tags themselves are those {@link ClientMeters} documents; this class only caches the
 * timers. A slot filled twice by racing threads holds the same timer: registering is idempotent.
 *
 * <p>Threading: called from every calling thread at once; lock-free reads, copy-on-write ports.
 */
final class RequestDurationTimers {
  static final String NAME = "http.client.request.duration";
  /** The methods OpenTelemetry names; any other is {@code _OTHER}. */
  private static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  private static final String OTHER_METHOD = "_OTHER";
  /** Status codes with an array slot: 100 to 599; others (OkHttp parses any 3 digits) use the map. */
  private static final int FIRST_STATUS = 100;
  private static final int STATUS_SLOTS = 500;

  private final MeterRegistry registry;
  private final Map<String, Endpoint[]> byAddress = new ConcurrentHashMap<>();

  RequestDurationTimers(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The method as a tag value: one of OpenTelemetry's known methods, else {@code _OTHER}. */
  static String methodTag(String method) {
    return METHODS.contains(method) ? method : OTHER_METHOD;
  }

  /** The timer of a call that got a response with {@code status}. */
  Timer forStatus(String method, String address, int port, int status) {
    Endpoint e = endpoint(address, port);
    int m = METHODS.indexOf(method);
    if (m < 0) {
      m = METHODS.size();
    }
    int slot = status - FIRST_STATUS;
    if (slot < 0 || slot >= STATUS_SLOTS) {
      String s = Integer.toString(status);
      return e.other(methodTag(method), s, status >= 400 ? s : ClientMeters.NONE);
    }
    AtomicReferenceArray<Timer> row = e.row(m);
    Timer t = row.get(slot);
    if (t == null) {
      String s = TagValues.status(status);
      t = e.register(methodTag(method), s, status >= 400 ? s : ClientMeters.NONE);
      row.set(slot, t);
    }
    return t;
  }

  /** The timer of a call that failed with {@code errorType}, without a response. */
  Timer forFailure(String method, String address, int port, String errorType) {
    return endpoint(address, port).other(methodTag(method), ClientMeters.NONE, errorType);
  }

  private Endpoint endpoint(String address, int port) {
    Endpoint[] ports = byAddress.get(address);
    if (ports != null) {
      for (Endpoint e : ports) {
        if (e.port == port) {
          return e;
        }
      }
    }
    return addEndpoint(address, port);
  }

  private Endpoint addEndpoint(String address, int port) {
    Endpoint[] updated = byAddress.compute(address, (a, ports) -> {
      if (ports != null) {
        for (Endpoint e : ports) {
          if (e.port == port) {
            return ports;
          }
        }
      }
      Endpoint[] grown = ports == null ? new Endpoint[1] : Arrays.copyOf(ports, ports.length + 1);
      grown[grown.length - 1] = new Endpoint(a, port);
      return grown;
    });
    for (Endpoint e : updated) {
      if (e.port == port) {
        return e;
      }
    }
    throw new AssertionError("port " + port + " of " + address + " was just added");
  }

  /** The timers of one {@code server.address} and {@code server.port}. */
  private final class Endpoint {
    final String address;
    final int port;
    final String portTag;
    /** Per method index (the last one {@code _OTHER}): timers by status code, created on first use. */
    final AtomicReferenceArray<AtomicReferenceArray<Timer>> rows = new AtomicReferenceArray<>(METHODS.size() + 1);
    final Map<String, Timer> others = new ConcurrentHashMap<>();

    Endpoint(String address, int port) {
      this.address = address;
      this.port = port;
      this.portTag = Integer.toString(port);
    }

    AtomicReferenceArray<Timer> row(int method) {
      AtomicReferenceArray<Timer> row = rows.get(method);
      if (row == null) {
        rows.compareAndSet(method, null, new AtomicReferenceArray<>(STATUS_SLOTS));
        row = rows.get(method);
      }
      return row;
    }

    Timer other(String method, String status, String error) {
      return others.computeIfAbsent(method + ' ' + status + ' ' + error, k -> register(method, status, error));
    }

    Timer register(String method, String status, String error) {
      return Timer.builder(NAME)
          .description("Duration of HTTP client requests (OpenTelemetry semantic conventions), retries included")
          .tags("http.request.method", method, "server.address", address, "server.port", portTag,
              "http.response.status_code", status, "error.type", error)
          .register(registry);
    }
  }
}
